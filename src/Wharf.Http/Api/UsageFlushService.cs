using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Core.Services;

namespace Wharf.Http.Api;

/// <summary>
/// Writes the pulls and pushes <see cref="UsageRecorder"/> counted, every <see cref="UsageOptions.FlushInterval"/>
/// and once more at shutdown. A failed flush keeps its counts for the next one.
/// </summary>
public sealed partial class UsageFlushService(UsageRecorder recorder, UsageOptions options, TimeProvider time, ILogger<UsageFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.FlushInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FlushAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-flush: the counts stay in memory and are lost with the process.
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException or ObjectDisposedException)
        {
            LogFlushFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Writing pull counts and push times failed; they are kept for the next attempt")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
