using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Telemetry;

namespace Wharf.Tests.Core.Telemetry;

/// <summary>The GC gauges read the collector's own counts, at most once per <see cref="GcMetrics.MaxAge"/> however often Prometheus scrapes.</summary>
public sealed class GcMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
    private readonly CountingGcStore _store = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Scrapes_within_the_max_age_share_one_read_and_a_later_scrape_reads_again()
    {
        var metrics = new WharfMetrics(_services.GetRequiredService<IMeterFactory>());
        var gc = new GcMetrics(metrics, _store, _time);
        Assert.Empty(Observe(metrics)); // Nothing before the first read.

        _store.Status = Status(manifests: 1, links: 2, blobs: 3, reclaimed: 4096);
        for (var i = 0; i < 5; i++)
        {
            await gc.RefreshIfStaleAsync(CancellationToken.None);
        }

        Assert.Equal(1, _store.Reads);
        Assert.Equal([("wharf.gc.queue.depth", "manifests", 1), ("wharf.gc.queue.depth", "links", 2), ("wharf.gc.queue.depth", "blobs", 3), ("wharf.gc.reclaimed.bytes", "", 4096)], Observe(metrics));

        _store.Status = Status(manifests: 0, links: 0, blobs: 7, reclaimed: 8192);
        _time.Advance(GcMetrics.MaxAge - TimeSpan.FromSeconds(1));
        await gc.RefreshIfStaleAsync(CancellationToken.None);
        Assert.Equal(1, _store.Reads);

        _time.Advance(TimeSpan.FromSeconds(1));
        await gc.RefreshIfStaleAsync(CancellationToken.None);
        Assert.Equal(2, _store.Reads);
        Assert.Contains(("wharf.gc.queue.depth", "blobs", 7L), Observe(metrics));
        Assert.Contains(("wharf.gc.reclaimed.bytes", "", 8192L), Observe(metrics));
    }

    private static GcStoreStatus Status(long manifests, long links, long blobs, long reclaimed) =>
        new(new GcQueueCounts(manifests, links, blobs), new GcQueueCounts(0, 0, 0), new GcTotals(0, reclaimed, 0, 0, null));

    private static List<(string Instrument, string Kind, long Value)> Observe(WharfMetrics metrics)
    {
        var seen = new List<(string, string, long)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name.StartsWith("wharf.gc.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var kind = "";
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? (string)tag.Value! : kind;
            }

            seen.Add((instrument.Name, kind, value));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private sealed class CountingGcStore : IGcStore
    {
        public GcStoreStatus? Status { get; set; }

        public int Reads { get; private set; }

        public ValueTask<GcStoreStatus> GetStatusAsync(DateTimeOffset linksAndBlobsDueBefore, DateTimeOffset manifestsDueBefore, CancellationToken cancellationToken)
        {
            Reads++;
            return ValueTask.FromResult(Status!);
        }

        public ValueTask<GcBatch<RepositoryDigest>> CollectManifestsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<GcBatch<RepositoryDigest>> CollectLinksAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<GcBatch<DeletedBlob>> CollectBlobsAsync(
            DateTimeOffset dueBefore, int limit, TimeSpan budget, Func<Digest, CancellationToken, ValueTask> deleteBytes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask HoldBlobAsync(Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlySet<string>> FindRecordedAsync(IReadOnlyCollection<string> digests, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask QueueLinksAsync(string repository, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask RecordCycleAsync(DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
