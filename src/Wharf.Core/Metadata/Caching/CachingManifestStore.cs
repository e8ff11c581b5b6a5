using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata.Caching;

/// <summary>
/// Caches manifests by digest (immutable content) and tags (invalidated by every write that moves or
/// removes them), so a pull resolves without a database round trip. Writes pass through and invalidate
/// after they commit. Only for stores that no other process writes to.
/// </summary>
/// <param name="capacityBytes">Payload bytes each of the two caches (by digest, by tag) may hold.</param>
public sealed class CachingManifestStore(IManifestReader reader, IManifestWriter writer, long capacityBytes = 8 * 1024 * 1024) : IManifestReader, IManifestWriter, IMetadataChangeObserver, IProtectedTagWriter
{
    // Larger manifests (huge indexes) are rare and served from the store.
    private const int MaxCachedPayload = 64 * 1024;
    private readonly CoherentCache<(string Repository, string Digest), StoredManifest> _manifests = new(capacityBytes, Weigh);
    private readonly CoherentCache<(string Repository, string Tag), StoredManifest> _tags = new(capacityBytes, Weigh);

    private static long Weigh(StoredManifest manifest) => manifest.Payload.Length + 256;

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var key = (repository, digest.Value);
        if (_manifests.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _manifests.Version;
        var manifest = await reader.GetAsync(repository, digest, cancellationToken);
        if (manifest is not null && manifest.Payload.Length <= MaxCachedPayload)
        {
            _manifests.TryFill(key, manifest, version);
        }

        return manifest;
    }

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var key = (repository, tag);
        if (_tags.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _tags.Version;
        var manifest = await reader.GetByTagAsync(repository, tag, cancellationToken);
        if (manifest is not null && manifest.Payload.Length <= MaxCachedPayload)
        {
            _tags.TryFill(key, manifest, version);
        }

        return manifest;
    }

    public void LinksRemoved(IReadOnlyList<RepositoryDigest> links)
    {
    }

    public void ManifestsRemoved(IReadOnlyList<RepositoryDigest> manifests)
    {
        foreach (var manifest in manifests)
        {
            _manifests.Invalidate((manifest.Repository, manifest.Digest.Value));
        }
    }

    public void RepositoryRemoved(string repository)
    {
        _manifests.InvalidateWhere(key => key.Repository == repository);
        _tags.InvalidateWhere(key => key.Repository == repository);
    }

    public ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken) =>
        reader.ListTagsAsync(repository, last, limit, cancellationToken);

    public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) =>
        reader.ListReferrersAsync(repository, subject, artifactType, cancellationToken);

    public async ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken)
    {
        try
        {
            return await writer.PutAsync(repository, manifest, tag, cancellationToken);
        }
        finally
        {
            if (tag is not null)
            {
                _tags.Invalidate((repository, tag));
            }
        }
    }

    public async ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await writer.DeleteAsync(repository, digest, cancellationToken);
        }
        finally
        {
            _manifests.Invalidate((repository, digest.Value));
            _tags.InvalidateWhere(key => key.Repository == repository);
        }
    }

    public async ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await writer.DeleteTagAsync(repository, tag, cancellationToken);
        }
        finally
        {
            _tags.Invalidate((repository, tag));
        }
    }

    public async ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken)
    {
        try
        {
            return await writer.DeleteTagIfAsync(repository, tag, expected, cancellationToken);
        }
        finally
        {
            // Whatever the outcome: a cached entry for the tag is never trusted across a write to it.
            _tags.Invalidate((repository, tag));
        }
    }

    public async ValueTask<ManifestPutResult> PutKeepingTagAsync(string repository, ManifestRecord manifest, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await Protected().PutKeepingTagAsync(repository, manifest, tag, cancellationToken);
        }
        finally
        {
            _tags.Invalidate((repository, tag));
        }
    }

    public async ValueTask<ProtectedManifestDelete> DeleteUnlessProtectedAsync(string repository, Digest digest, Func<string, bool> isProtected, CancellationToken cancellationToken)
    {
        try
        {
            return await Protected().DeleteUnlessProtectedAsync(repository, digest, isProtected, cancellationToken);
        }
        finally
        {
            _manifests.Invalidate((repository, digest.Value));
            _tags.InvalidateWhere(key => key.Repository == repository);
        }
    }

    private IProtectedTagWriter Protected() =>
        writer.GetCapability<IProtectedTagWriter>() ?? throw new InvalidOperationException($"{writer.GetType().Name} cannot keep immutable tags");
}
