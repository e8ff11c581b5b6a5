using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Mirror;

/// <summary>Which cached tags and manifests an eviction pass removes, and which blobs it hands to the collector (docs/design/mirroring.md, "Eviction").</summary>
public sealed class CacheEvictionTests : IDisposable
{
    private static readonly TimeSpan EvictAfter = TimeSpan.FromDays(7);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CachedManifests _manifests;
    private readonly QueueRecorder _gc = new();

    public CacheEvictionTests() => _manifests = new CachedManifests(new FileSystemDriver(_temp.Path));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_stale_tag_and_its_manifest_go_a_manifest_a_kept_tag_points_at_stays_and_blobs_it_shares_are_not_queued()
    {
        var kept = await CacheAsync("hub/app", "config-1", "shared", "only-kept");
        var stale = await CacheAsync("hub/app", "config-2", "shared", "only-stale");
        await TagAsync("hub/app", "v1", kept);
        await TagAsync("hub/app", "v2", stale);
        _time.Advance(EvictAfter);
        await _manifests.PutServedAsync("hub/app", CachedManifests.TagKey("v1"), _time.GetUtcNow() - TimeSpan.FromHours(1), None);

        var result = await Eviction().RunAsync(None);

        Assert.Equal(new EvictionResult(1, 1, 2), result);
        Assert.NotNull(await _manifests.GetTagAsync("hub/app", "v1", None));
        Assert.NotNull(await _manifests.GetAsync("hub/app", kept, None)); // its own record is as old, but a kept tag names it
        Assert.Null(await _manifests.GetTagAsync("hub/app", "v2", None));
        Assert.Null(await _manifests.GetAsync("hub/app", stale, None));
        Assert.Equal(new[] { ("hub/app", Blob("config-2")), ("hub/app", Blob("only-stale")) }.Order(), _gc.Queued.Order());
    }

    [Fact]
    public async Task An_item_without_a_record_gets_one_and_stays_until_EvictAfter_from_then()
    {
        var digest = await CacheAsync("hub/app", "config", "layer");
        await _manifests.PutTagAsync("hub/app", "v1", new CachedTag(digest, _time.GetUtcNow()), None); // no served record
        _time.Advance(EvictAfter * 2);

        Assert.Equal(EvictionResult.None, await Eviction().RunAsync(None));
        Assert.Equal(_time.GetUtcNow(), await _manifests.GetServedAsync("hub/app", CachedManifests.TagKey("v1"), None));

        _time.Advance(EvictAfter);
        Assert.Equal(new EvictionResult(1, 1, 2), await Eviction().RunAsync(None));
    }

    [Fact]
    public async Task A_prefix_no_longer_configured_and_EvictAfter_zero_evict_nothing()
    {
        var digest = await CacheAsync("gone/app", "config", "layer");
        await TagAsync("gone/app", "v1", digest);
        var cached = await CacheAsync("hub/app", "config", "layer");
        await TagAsync("hub/app", "v1", cached);
        _time.Advance(EvictAfter * 3);

        Assert.Equal(EvictionResult.None, await Eviction(TimeSpan.Zero).RunAsync(None));
        Assert.Equal(new EvictionResult(1, 1, 2), await Eviction().RunAsync(None));
        Assert.NotNull(await _manifests.GetTagAsync("gone/app", "v1", None));
        Assert.All(_gc.Queued, q => Assert.Equal("hub/app", q.Repository));
    }

    private CacheEviction Eviction(TimeSpan? evictAfter = null)
    {
        var options = new MirrorOptions { Upstreams = { new UpstreamOptions { Prefix = "hub", Url = new Uri("https://registry.example") } }, EvictAfter = evictAfter ?? EvictAfter };
        return new CacheEviction(options, new MirrorNames(options), _manifests, _gc, _time, NullLogger<CacheEviction>.Instance);
    }

    private static string Blob(string seed) => Digest.Compute(Encoding.UTF8.GetBytes(seed)).Value;

    /// <summary>Caches an image manifest naming the config and layers built from the seeds, served now.</summary>
    private async Task<Digest> CacheAsync(string repository, string config, params string[] layers)
    {
        static string Descriptor(string mediaType, string seed) => $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{Blob(seed)}\",\"size\":1}}";
        var json = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{Descriptor("application/vnd.oci.image.config.v1+json", config)}," +
            $"\"layers\":[{string.Join(',', layers.Select(l => Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l)))}]}}";
        var payload = Encoding.UTF8.GetBytes(json);
        var manifest = new CachedManifest(Digest.Compute(payload), MediaTypes.OciManifest, payload);
        await _manifests.PutAsync(repository, manifest, None);
        await _manifests.PutServedAsync(repository, CachedManifests.ManifestKey(manifest.Digest), _time.GetUtcNow(), None);
        return manifest.Digest;
    }

    private async Task TagAsync(string repository, string tag, Digest digest)
    {
        await _manifests.PutTagAsync(repository, tag, new CachedTag(digest, _time.GetUtcNow()), None);
        await _manifests.PutServedAsync(repository, CachedManifests.TagKey(tag), _time.GetUtcNow(), None);
    }

    /// <summary>Records the links eviction queues; the rest of the collector's store is not used by it.</summary>
    private sealed class QueueRecorder : IGcStore
    {
        public List<(string Repository, string Digest)> Queued { get; } = [];

        public ValueTask QueueLinksAsync(string repository, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
        {
            Queued.AddRange(digests.Select(d => (repository, d)));
            return ValueTask.CompletedTask;
        }

        public ValueTask<GcBatch<RepositoryDigest>> CollectManifestsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<GcBatch<RepositoryDigest>> CollectLinksAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<GcBatch<DeletedBlob>> CollectBlobsAsync(
            DateTimeOffset dueBefore, int limit, TimeSpan budget, Func<Digest, CancellationToken, ValueTask> deleteBytes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask HoldBlobAsync(Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlySet<string>> FindRecordedAsync(IReadOnlyCollection<string> digests, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask RecordCycleAsync(DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<GcStoreStatus> GetStatusAsync(DateTimeOffset linksAndBlobsDueBefore, DateTimeOffset manifestsDueBefore, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
