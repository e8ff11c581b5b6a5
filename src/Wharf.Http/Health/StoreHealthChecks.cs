using Microsoft.Extensions.Diagnostics.HealthChecks;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;

namespace Wharf.Http.Health;

/// <summary>
/// One cheap read of a backing store under <see cref="HealthOptions.Timeout"/>: healthy when it answers in time,
/// unhealthy when it fails or is too slow. The result carries no detail (no host names, no connection strings).
/// </summary>
public abstract class TimedStoreCheck(HealthOptions options, DrainState drain, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (drain.Draining)
        {
            return HealthCheckResult.Unhealthy("draining"); // at once: a draining server is not ready, whatever its stores say
        }

        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // WaitAsync as well as the token: a client that ignores cancellation while connecting still counts as failed in time.
            await ReadAsync(linked.Token).WaitAsync(options.Timeout, time, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(e is TimeoutException or OperationCanceledException ? "timed out" : "unreachable");
        }
    }

    protected abstract Task ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The storage driver answers a stat of <see cref="StorageLayout.ReadinessProbe"/>.</summary>
public sealed class StorageHealthCheck(IStorageDriver storage, HealthOptions options, DrainState drain, TimeProvider time) : TimedStoreCheck(options, drain, time)
{
    protected override async Task ReadAsync(CancellationToken cancellationToken) =>
        await storage.StatAsync(StorageLayout.ReadinessProbe, cancellationToken);
}

/// <summary>The metadata store answers a one-row catalog read.</summary>
public sealed class MetadataHealthCheck(IRepositoryReader repositories, HealthOptions options, DrainState drain, TimeProvider time) : TimedStoreCheck(options, drain, time)
{
    protected override async Task ReadAsync(CancellationToken cancellationToken) =>
        await repositories.ListAsync(null, 1, cancellationToken);
}

/// <summary>Unhealthy from the moment the server starts to drain.</summary>
public sealed class DrainHealthCheck(DrainState drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.Draining ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy());
}
