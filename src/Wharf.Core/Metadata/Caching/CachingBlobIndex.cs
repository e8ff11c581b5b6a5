using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata.Caching;

/// <summary>
/// Remembers which blobs each repository may see, so HEAD and GET of a blob need no database round trip.
/// Misses are not cached (a push links blobs right after a HEAD misses). Only for stores that no other
/// process writes to; see docs/design/storage.md.
/// </summary>
public sealed class CachingBlobIndex(IBlobIndex inner, int capacity = 50_000) : IBlobIndex, IMetadataChangeObserver
{
    private readonly CoherentCache<(string Repository, string Digest), BlobInfo> _cache = new(capacity);

    public ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken) => inner.GetAsync(digest, cancellationToken);

    public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var key = (repository, digest.Value);
        if (_cache.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _cache.Version;
        var blob = await inner.GetInRepositoryAsync(repository, digest, cancellationToken);
        if (blob is not null)
        {
            _cache.TryFill(key, blob, version);
        }

        return blob;
    }

    public ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken) =>
        inner.ListRepositoriesAsync(digest, limit, cancellationToken);

    public ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken) =>
        inner.LinkAsync(repository, blob, completedUpload, cancellationToken);

    public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        inner.LinkExistingAsync(repository, digest, cancellationToken);

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

    public async ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.UnlinkAsync(repository, digest, cancellationToken);
        }
        finally
        {
            _cache.Invalidate((repository, digest.Value));
        }
    }
}
