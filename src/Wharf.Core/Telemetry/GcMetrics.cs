using System.Diagnostics.Metrics;
using Wharf.Core.Metadata;

namespace Wharf.Core.Telemetry;

/// <summary>
/// <c>wharf.gc.queue.depth</c> (observable gauge, by kind) and <c>wharf.gc.reclaimed.bytes</c> (observable counter), read
/// from the counts the collector already keeps (its review queues and <c>gc_totals</c>, the same as <c>GET /api/gc</c>).
/// The store is asked at most once per <see cref="MaxAge"/>, by <see cref="RefreshIfStaleAsync"/> before a scrape; the
/// instruments report the last values read and nothing before the first read.
/// </summary>
public sealed class GcMetrics
{
    /// <summary>How old the reported values may be before a scrape reads them again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly IGcStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private GcStoreStatus? _last;
    private long _readAtTicks = DateTimeOffset.MinValue.UtcTicks;

    public GcMetrics(WharfMetrics metrics, IGcStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        metrics.Meter.CreateObservableGauge("wharf.gc.queue.depth", ObserveQueue, "{item}", "Items waiting for review by the garbage collector, by kind (manifests, links, blobs).");
        metrics.Meter.CreateObservableCounter("wharf.gc.reclaimed.bytes", ObserveReclaimed, "{byte}", "Blob bytes the garbage collector has deleted, over the life of the store (all instances).");
    }

    /// <summary>Reads the store again when the values are older than <see cref="MaxAge"/>; concurrent scrapes share one read.</summary>
    public async ValueTask RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow().UtcTicks - Volatile.Read(ref _readAtTicks) < MaxAge.Ticks)
        {
            return;
        }

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (now.UtcTicks - _readAtTicks < MaxAge.Ticks)
            {
                return;
            }

            // Only the queue sizes and totals are reported: the "due" cut-offs do not matter here.
            _last = await _store.GetStatusAsync(now, now, cancellationToken);
            Volatile.Write(ref _readAtTicks, now.UtcTicks);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueue()
    {
        if (_last is not { } status)
        {
            return [];
        }

        return
        [
            new(status.Queued.Manifests, new KeyValuePair<string, object?>("kind", "manifests")),
            new(status.Queued.Links, new KeyValuePair<string, object?>("kind", "links")),
            new(status.Queued.Blobs, new KeyValuePair<string, object?>("kind", "blobs")),
        ];
    }

    private IEnumerable<Measurement<long>> ObserveReclaimed() =>
        _last is { } status ? [new(status.Totals.BytesReclaimed)] : [];
}
