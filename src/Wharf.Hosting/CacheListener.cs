using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Services;
using Wharf.Metadata.PostgreSql;

namespace Wharf.Hosting;

/// <summary>
/// Keeps this instance's metadata caches coherent with every other writer of the PostgreSQL schema: on a connection of
/// its own it LISTENs on the channel the schema's triggers NOTIFY (migration 0010) and applies each announcement. The
/// caches serve only while it listens: it resumes them (empty) after each LISTEN, and suspends them the moment its
/// connection fails, because a change committed meanwhile is never announced to it. See docs/design/cache-invalidation.md.
/// </summary>
public sealed partial class CacheListener(
    PostgreSqlDatabase database, CacheCoherence coherence, CacheOptions options, TimeProvider time, ILogger<CacheListener> logger) : BackgroundService
{
    private volatile int _processId;

    /// <summary>Raised when a reconnection is scheduled (its delay is running on the <see cref="TimeProvider"/>), for tests.</summary>
    public event Action? ReconnectScheduled;

    /// <summary>The PostgreSQL backend process of the listening connection; 0 while there is none.</summary>
    public int ProcessId => _processId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await ListenAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is DbException or IOException or SocketException or TimeoutException or InvalidOperationException or OperationCanceledException)
                {
                    _processId = 0;
                    coherence.Suspend();
                    LogLost(logger, options.ListenerReconnectDelay, e);
                }

                var wait = Task.Delay(options.ListenerReconnectDelay, time, stoppingToken);
                ReconnectScheduled?.Invoke();
                await wait;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _processId = 0;
            coherence.Suspend();
        }
    }

    /// <summary>Listens until the connection fails (throws) or the host stops.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await database.OpenDedicatedAsync(stoppingToken);
        // Raised on this flow, inside WaitAsync (or a command), in the order the changes committed.
        connection.Notification += (_, e) => coherence.Apply(CacheAnnouncement.Parse(e.Payload));
        string channel;
        await using (var ask = new NpgsqlCommand("SELECT cache_channel()", connection))
        {
            channel = (string)(await ask.ExecuteScalarAsync(stoppingToken))!;
        }

        await using (var listen = new NpgsqlCommand("LISTEN \"" + channel + "\"", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Every change that commits from here on will be heard; what committed before (while nobody listened) is
        // forgotten by Resume, which empties the caches before they serve again.
        _processId = connection.ProcessID;
        coherence.Resume();
        LogListening(logger, channel, connection.ProcessID);
        while (true)
        {
            if (!await connection.WaitAsync(options.ListenerCheckInterval, stoppingToken))
            {
                // Quiet for a while: make sure the connection still answers (one that died silently would hear nothing).
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteNonQueryAsync(stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Metadata caches on: listening on {Channel} (PostgreSQL process {ProcessId})")]
    private static partial void LogListening(ILogger logger, string channel, int processId);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "Metadata caches off: the listening connection failed; reconnecting in {Delay}")]
    private static partial void LogLost(ILogger logger, TimeSpan delay, Exception exception);
}
