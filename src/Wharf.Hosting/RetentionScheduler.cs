using Wharf.Core.Policies;
using Wharf.Http.Policies;

namespace Wharf.Hosting;

/// <summary>
/// Applies the retention rules every <c>Retention:Interval</c> (the first run one interval after start), on the clock of
/// the injected <see cref="TimeProvider"/>. Without an interval, or without rules, it does nothing.
/// </summary>
public sealed partial class RetentionScheduler(RetentionService retention, RetentionOptions options, TimeProvider time, ILogger<RetentionScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Period is not { } period || retention.Rules.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, stoppingToken);
                await retention.RunAsync(dryRun: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogRunFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "A scheduled retention run failed; the next one is due after the interval")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
