using Wharf.Core.Metadata;

namespace Wharf.Core.Services.Gc;

/// <summary>The collector's state as <c>GET /api/gc</c> and <c>wharf gc status</c> show it.</summary>
public sealed record GcStatus(
    bool Enabled,
    TimeSpan GracePeriod,
    UntaggedManifestPolicy UntaggedManifests,
    TimeSpan UntaggedManifestsAfter,
    GcQueueCounts Queued,
    GcQueueCounts Due,
    GcTotals Totals);

/// <summary>Reads <see cref="GcStatus"/> from the store, with "due" measured against this instance's settings.</summary>
public sealed class GcStatusReader(IGcStore store, GcOptions options, TimeProvider time)
{
    public async ValueTask<GcStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var manifestsDue = options.UntaggedManifests.Policy == UntaggedManifestPolicy.Delete ? now - options.UntaggedManifests.After : DateTimeOffset.MinValue.AddDays(1);
        var stored = await store.GetStatusAsync(now - options.GracePeriod, manifestsDue, cancellationToken);
        return new GcStatus(
            options.Enabled, options.GracePeriod, options.UntaggedManifests.Policy, options.UntaggedManifests.After, stored.Queued, stored.Due, stored.Totals);
    }
}
