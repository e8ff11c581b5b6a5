using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Wharf.Http.Health;

/// <summary>
/// The graceful part of shutdown: as soon as the host stops (SIGTERM), readiness fails and new requests are refused;
/// then, before the server stops listening, requests in flight get up to <see cref="ShutdownOptions.DrainTime"/> to end.
/// </summary>
public sealed partial class DrainService(DrainState drain, ShutdownOptions options, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(drain.BeginDrain);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        drain.BeginDrain();
        var inFlight = drain.InFlight;
        if (inFlight == 0)
        {
            return;
        }

        LogDraining(logger, inFlight, options.DrainTime);
        try
        {
            await drain.WhenIdleAsync().WaitAsync(options.DrainTime, time, cancellationToken);
            LogDrained(logger);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogDrainTimedOut(logger, drain.InFlight);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Draining: {InFlight} requests in flight get up to {DrainTime} to finish; new requests answer 503")]
    private static partial void LogDraining(ILogger logger, long inFlight, TimeSpan drainTime);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Drained: every request in flight has finished")]
    private static partial void LogDrained(ILogger logger);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "The drain time is over with {InFlight} requests still in flight; they are cut")]
    private static partial void LogDrainTimedOut(ILogger logger, long inFlight);
}
