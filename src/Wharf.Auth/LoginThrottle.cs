using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// Counts failed logins per client address and per username in a sliding window, in the metadata store, so that
/// every instance on one database counts the same failures. Past <see cref="ThrottleOptions.MaxFailures"/> within
/// <see cref="ThrottleOptions.Window"/>, further attempts are refused until the oldest of those failures leaves the
/// window. Costs one read per login attempt and one insert per failure; no lock is held in between, so a slow
/// password check never holds up anyone else. When the store cannot be asked, this instance's own count decides.
/// </summary>
public sealed partial class LoginThrottle(AuthOptions options, ILoginFailureStore store, TimeProvider time, ILogger<LoginThrottle> logger)
{
    private const int MaxKeyLength = 200;
    private readonly LocalLoginFailures _local = new(options, time);
    private readonly Lock _pruneGate = new();
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    private TimeSpan Window => options.Throttle.Window;

    /// <summary>How long the caller must wait, or null when it may try now.</summary>
    public async ValueTask<TimeSpan?> RetryAfterAsync(string client, string? username, CancellationToken cancellationToken)
    {
        if (_local.RetryAfter(client, username) is { } wait)
        {
            return wait; // This instance alone has seen enough failures: the shared count can only be higher.
        }

        var now = time.GetUtcNow();
        try
        {
            var blocking = await store.NthLatestAsync(Keys(client, username), options.Throttle.MaxFailures, now - Window, cancellationToken);
            return blocking is { } at ? at + Window - now : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(logger, e);
            return null;
        }
    }

    /// <summary>Counts a failed login. Never cancelled by the caller: a client hanging up must not escape the count.</summary>
    public async ValueTask RecordFailureAsync(string client, string? username)
    {
        var now = time.GetUtcNow();
        _local.RecordFailure(client, username);
        try
        {
            await store.RecordAsync(Keys(client, username), now, CancellationToken.None);
            if (PruneDue(now))
            {
                await store.PruneAsync(now - Window, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            LogStoreFailed(logger, e);
        }
    }

    /// <summary>The store keys: <c>ip:&lt;address&gt;</c> and <c>user:&lt;name&gt;</c>; an overlong one is replaced by its hash.</summary>
    internal static string[] Keys(string client, string? username) =>
        username is null ? [Key("ip:", client)] : [Key("ip:", client), Key("user:", username)];

    private static string Key(string prefix, string value) =>
        prefix.Length + value.Length <= MaxKeyLength ? prefix + value
            : prefix + "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Old rows are removed by whichever failure comes first after a window has passed (per instance).</summary>
    private bool PruneDue(DateTimeOffset now)
    {
        lock (_pruneGate)
        {
            if (now < _nextPrune)
            {
                return false;
            }

            _nextPrune = now + Window;
            return true;
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The shared login throttle is unavailable; this instance's own count of failures decides meanwhile")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
