using Wharf.Core.Audit;
using Wharf.Http.Audit;

namespace Wharf.Hosting;

/// <summary>
/// Removes audit events older than <c>Audit:Retention</c> every <c>Audit:PruneInterval</c> (the first prune one
/// interval after start), on the clock of the injected <see cref="TimeProvider"/>. A failed prune is retried at the next.
/// </summary>
public sealed partial class AuditPruner(IAuditStore store, AuditOptions options, TimeProvider time, ILogger<AuditPruner> logger) : BackgroundService
{
    private TaskCompletionSource<int> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the number of events removed when the next scheduled prune has run (-1 when it failed).</summary>
    public Task<int> NextPruneAsync() => Volatile.Read(ref _next).Task;

    /// <summary>Removes the events older than the retention, as of now on the injected clock.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var removed = await store.PruneAsync(time.GetUtcNow() - options.RetentionPeriod, cancellationToken);
        if (removed > 0)
        {
            LogPruned(logger, removed);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var due = Task.Delay(options.PrunePeriod, time, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            int removed;
            try
            {
                await due;
                removed = await PruneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogPruneFailed(logger, e);
                removed = -1;
            }

            // The next wait starts on the clock before anyone hears of this prune, so a fake clock moved at once still fires it.
            due = Task.Delay(options.PrunePeriod, time, stoppingToken);
            Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(removed);
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Pruned {Count} audit events past their retention")]
    private static partial void LogPruned(ILogger logger, int count);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Pruning the audit log failed; the next attempt is due after the interval")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
