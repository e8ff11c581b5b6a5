using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata.Caching;

/// <summary>
/// Remembers which blobs each repository may see, so HEAD and GET of a blob need no database round trip.
/// Misses are not cached (a push links blobs right after a HEAD misses). Serves only while
/// its <see cref="CacheCoherence"/> says so: with a store other processes write to, while their changes are heard
/// (docs/design/cache-invalidation.md).
/// </summary>
public sealed class CachingBlobIndex : IBlobIndex, IMetadataChangeObserver, ICoherentMetadataCache
{
    private readonly CoherentCache<(string Repository, string Digest), BlobInfo> _cache;
    private readonly IBlobIndex _inner;
    private readonly CacheCoherence _coherence;

    /// <param name="coherence">When the cache may serve; null: always (a single writer).</param>
    public CachingBlobIndex(IBlobIndex inner, int capacity = 50_000, CacheCoherence? coherence = null)
    {
        _inner = inner;
        _cache = new(capacity);
        _coherence = coherence ?? CacheCoherence.SingleWriter();
        _coherence.Register(this);
    }

    public ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken) => _inner.GetAsync(digest, cancellationToken);

    public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var key = (repository, digest.Value);
        if (!_coherence.IsServing)
        {
            return await _inner.GetInRepositoryAsync(repository, digest, cancellationToken);
        }

        if (_cache.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _cache.Version;
        var blob = await _inner.GetInRepositoryAsync(repository, digest, cancellationToken);
        if (blob is not null && _coherence.IsServing)
        {
            _cache.TryFill(key, blob, version);
        }

        return blob;
    }

    public ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken) =>
        _inner.ListRepositoriesAsync(digest, limit, cancellationToken);

    public ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken) =>
        _inner.LinkAsync(repository, blob, completedUpload, cancellationToken);

    public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        _inner.LinkExistingAsync(repository, digest, cancellationToken);

    public void LinksRemoved(IReadOnlyList<RepositoryDigest> links)
    {
        foreach (var link in links)
        {
            _cache.Invalidate((link.Repository, link.Digest.Value));
        }
    }

    public void ManifestsRemoved(IReadOnlyList<RepositoryDigest> manifests)
    {
    }

    public void RepositoryRemoved(string repository) => _cache.InvalidateWhere(key => key.Repository == repository);

    public void Forget(CacheChange change)
    {
        switch (change.Kind)
        {
            case CacheChangeKind.Link:
                _cache.Invalidate((change.Repository, change.Item));
                break;
            case CacheChangeKind.Repository:
                RepositoryRemoved(change.Repository);
                break;
            case CacheChangeKind.Everything:
                ForgetAll();
                break;
            default:
                break; // Tags and manifests say nothing about which blobs a repository links.
        }
    }

    public void ForgetAll() => _cache.Clear();

    public async ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await _inner.UnlinkAsync(repository, digest, cancellationToken);
        }
        finally
        {
            _cache.Invalidate((repository, digest.Value));
        }
    }
}
