using Wharf.Core.Audit;
using Wharf.Http.Audit;

namespace Wharf.Hosting;

/// <summary>
/// Removes audit events older than <c>Audit:Retention</c> every <c>Audit:PruneInterval</c> (the first prune one
/// interval after start), on the clock of the injected <see cref="TimeProvider"/>. A failed prune is retried at the next.
/// </summary>
public sealed partial class AuditPruner(IAuditStore store, AuditOptions options, TimeProvider time, ILogger<AuditPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.PrunePeriod, time, stoppingToken);
                var removed = await store.PruneAsync(time.GetUtcNow() - options.RetentionPeriod, stoppingToken);
                if (removed > 0)
                {
                    LogPruned(logger, removed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogPruneFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Pruned {Count} audit events past their retention")]
    private static partial void LogPruned(ILogger logger, int count);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Pruning the audit log failed; the next attempt is due after the interval")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
