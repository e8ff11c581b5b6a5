using Wharf.Core.Services.Gc;

namespace Wharf.Hosting;

/// <summary>Runs the online garbage collector every <see cref="GcOptions.Interval"/> (docs/design/gc.md), when <see cref="GcOptions.Enabled"/>.</summary>
public sealed partial class GcWorker(GarbageCollector collector, GcOptions options, TimeProvider time, ILogger<GcWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await collector.RunCycleAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException or Wharf.Core.Storage.StorageUnavailableException or UnauthorizedAccessException)
            {
                // A deadlock between instances, an engine outage, a storage fault: every step is one transaction, so the next cycle retries.
                LogCycleFailed(logger, e);
            }

            try
            {
                await Task.Delay(options.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "A garbage collection cycle failed; the next one retries")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);
}
