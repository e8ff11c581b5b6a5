using System.Text;
using Wharf.Core.Metadata;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata.Caching;

/// <summary>
/// The caches of an instance that shares its store (docs/design/cache-invalidation.md): they serve only while
/// <see cref="CacheCoherence"/> says every change is heard, forget what announcements name, and never keep a value
/// read before an announcement, a suspension or a resumption.
/// </summary>
public sealed class CacheCoherenceTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly Store _store = new();

    [Fact]
    public async Task Suspended_caches_read_the_store_every_time_and_keep_nothing()
    {
        var coherence = new CacheCoherence(serving: false);
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");

        await cache.GetByTagAsync("app", "latest", None);
        await cache.GetByTagAsync("app", "latest", None);

        Assert.Equal(2, _store.Reads);
        Assert.False(cache.HoldsTag("app", "latest"));
    }

    [Fact]
    public async Task Resumed_caches_serve_hits()
    {
        var coherence = new CacheCoherence(serving: false);
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");

        coherence.Resume();
        await cache.GetByTagAsync("app", "latest", None);
        var hit = await cache.GetByTagAsync("app", "latest", None);

        Assert.Equal(1, _store.Reads);
        Assert.Equal(Content("one"), hit!.Digest);
    }

    [Fact]
    public async Task Suspending_forgets_everything_and_resuming_does_not_bring_it_back()
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        await cache.GetByTagAsync("app", "latest", None);

        coherence.Suspend();
        _store.Tag("app", "latest", "two"); // unheard: the listener is down
        Assert.Equal(Content("two"), (await cache.GetByTagAsync("app", "latest", None))!.Digest);
        coherence.Resume();

        Assert.Equal(Content("two"), (await cache.GetByTagAsync("app", "latest", None))!.Digest);
        Assert.Equal(Content("two"), (await cache.GetByTagAsync("app", "latest", None))!.Digest);
        Assert.Equal(3, _store.Reads); // one before, one while suspended, one after; then a hit
    }

    [Fact]
    public async Task An_announced_tag_is_forgotten_and_other_tags_stay()
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        _store.Tag("app", "stable", "one");
        await cache.GetByTagAsync("app", "latest", None);
        await cache.GetByTagAsync("app", "stable", None);

        _store.Tag("app", "latest", "two");
        coherence.Apply([new CacheChange(CacheChangeKind.Tag, "app", "latest")]);

        Assert.Equal(Content("two"), (await cache.GetByTagAsync("app", "latest", None))!.Digest);
        Assert.True(cache.HoldsTag("app", "stable"));
    }

    [Theory]
    [InlineData(CacheChangeKind.Tag)] // an announcement of any key
    [InlineData(CacheChangeKind.Everything)]
    public async Task A_read_that_began_before_an_announcement_is_not_cached(CacheChangeKind kind)
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        var reading = _store.HoldNextRead();

        var read = cache.GetByTagAsync("app", "latest", None).AsTask();
        await reading.Started;
        coherence.Apply([new CacheChange(kind, "app", "other")]);
        reading.Finish();

        Assert.Equal(Content("one"), (await read)!.Digest); // correct when read
        Assert.False(cache.HoldsTag("app", "latest"));     // but not kept: the announcement may have been about it
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_read_that_began_before_a_suspension_is_not_cached_even_after_resuming(bool resumeBeforeTheReadEnds)
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        var reading = _store.HoldNextRead();

        var read = cache.GetByTagAsync("app", "latest", None).AsTask();
        await reading.Started;
        coherence.Suspend();
        if (resumeBeforeTheReadEnds)
        {
            coherence.Resume();
        }

        reading.Finish();
        await read;
        coherence.Resume();

        Assert.False(cache.HoldsTag("app", "latest"));
    }

    [Fact]
    public async Task A_removed_repository_forgets_its_manifests_tags_and_blobs_only()
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        var blobs = new CachingBlobIndex(_store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        _store.Tag("other", "latest", "one");
        await cache.GetByTagAsync("app", "latest", None);
        await cache.GetByTagAsync("other", "latest", None);
        await cache.GetAsync("app", Content("one"), None);
        await blobs.GetInRepositoryAsync("app", Content("layer"), None);

        coherence.Apply([new CacheChange(CacheChangeKind.Repository, "app")]);
        var reads = _store.Reads;
        await cache.GetByTagAsync("app", "latest", None);
        await cache.GetAsync("app", Content("one"), None);
        await blobs.GetInRepositoryAsync("app", Content("layer"), None);
        await cache.GetByTagAsync("other", "latest", None);

        Assert.Equal(reads + 3, _store.Reads);
    }

    [Fact]
    public async Task An_announced_manifest_and_link_are_forgotten()
    {
        var coherence = CacheCoherence.SingleWriter();
        var cache = new CachingManifestStore(_store, _store, coherence: coherence);
        var blobs = new CachingBlobIndex(_store, coherence: coherence);
        _store.Tag("app", "latest", "one");
        await cache.GetAsync("app", Content("one"), None);
        await blobs.GetInRepositoryAsync("app", Content("layer"), None);

        coherence.Apply([new CacheChange(CacheChangeKind.Manifest, "app", Content("one").Value), new CacheChange(CacheChangeKind.Link, "app", Content("layer").Value)]);
        var reads = _store.Reads;
        await cache.GetAsync("app", Content("one"), None);
        await blobs.GetInRepositoryAsync("app", Content("layer"), None);

        Assert.Equal(reads + 2, _store.Reads);
    }

    [Fact]
    public void Every_transition_is_reported()
    {
        var coherence = new CacheCoherence(serving: false);
        var seen = new List<CacheCoherenceEventKind>();
        coherence.Changed += e => seen.Add(e.Kind);

        coherence.Resume();
        coherence.Apply([CacheChange.Everything]);
        coherence.Suspend();

        Assert.Equal([CacheCoherenceEventKind.Resumed, CacheCoherenceEventKind.Applied, CacheCoherenceEventKind.Suspended], seen);
    }

    private static Digest Content(string name) => Digest.Compute(Encoding.UTF8.GetBytes(name));

    /// <summary>The held read of <see cref="Store.HoldNextRead"/>.</summary>
    private sealed class HeldRead
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Finish() => _finish.TrySetResult();

        public async Task WaitAsync()
        {
            _started.TrySetResult();
            await _finish.Task;
        }
    }

    /// <summary>A store whose tags the test moves behind the caches' back, and whose next read can be held.</summary>
    private sealed class Store : IManifestReader, IManifestWriter, IBlobIndex
    {
        private readonly Dictionary<(string, string), string> _tags = [];
        private HeldRead? _held;

        public int Reads { get; private set; }

        public void Tag(string repository, string tag, string content) => _tags[(repository, tag)] = content;

        public HeldRead HoldNextRead() => _held = new HeldRead();

        public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
        {
            var content = _tags.GetValueOrDefault((repository, tag));
            await ReadAsync();
            return content is null ? null : Manifest(Content(content));
        }

        public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
        {
            await ReadAsync();
            return Manifest(digest);
        }

        public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
        {
            await ReadAsync();
            return new BlobInfo(digest, 1);
        }

        private async Task ReadAsync()
        {
            Reads++;
            if (_held is { } held)
            {
                _held = null;
                await held.WaitAsync();
            }
        }

        private static StoredManifest Manifest(Digest digest) => new(digest, "application/vnd.oci.image.manifest.v1+json", [1, 2, 3], null, null, null);

        public ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
