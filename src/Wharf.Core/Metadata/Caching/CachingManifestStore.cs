using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata.Caching;

/// <summary>
/// Caches manifests by digest (immutable content) and tags (invalidated by every write that moves or
/// removes them), so a pull resolves without a database round trip. Writes pass through and invalidate
/// after they commit. Serves only while its <see cref="CacheCoherence"/> says so: with a store other processes
/// write to, while their changes are heard (docs/design/cache-invalidation.md).
/// </summary>
public sealed class CachingManifestStore : IManifestReader, IManifestWriter, IMetadataChangeObserver, IProtectedTagWriter, ICoherentMetadataCache
{
    // Larger manifests (huge indexes) are rare and served from the store.
    private const int MaxCachedPayload = 64 * 1024;
    private readonly CoherentCache<(string Repository, string Digest), StoredManifest> _manifests;
    private readonly CoherentCache<(string Repository, string Tag), StoredManifest> _tags;
    private readonly IManifestReader _reader;
    private readonly IManifestWriter _writer;
    private readonly CacheCoherence _coherence;

    /// <param name="capacityBytes">Payload bytes each of the two caches (by digest, by tag) may hold.</param>
    /// <param name="coherence">When the caches may serve; null: always (a single writer).</param>
    public CachingManifestStore(IManifestReader reader, IManifestWriter writer, long capacityBytes = 8 * 1024 * 1024, CacheCoherence? coherence = null)
    {
        _reader = reader;
        _writer = writer;
        _manifests = new(capacityBytes, Weigh);
        _tags = new(capacityBytes, Weigh);
        _coherence = coherence ?? CacheCoherence.SingleWriter();
        _coherence.Register(this);
    }

    private static long Weigh(StoredManifest manifest) => manifest.Payload.Length + 256;

    /// <summary>Whether the tag's manifest is held in memory now (diagnostics and tests).</summary>
    public bool HoldsTag(string repository, string tag) => _tags.TryGet((repository, tag), out _);

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        if (!_coherence.IsServing)
        {
            return await _reader.GetAsync(repository, digest, cancellationToken);
        }

        var key = (repository, digest.Value);
        if (_manifests.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _manifests.Version;
        var manifest = await _reader.GetAsync(repository, digest, cancellationToken);
        if (manifest is not null && manifest.Payload.Length <= MaxCachedPayload && _coherence.IsServing)
        {
            _manifests.TryFill(key, manifest, version);
        }

        return manifest;
    }

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        if (!_coherence.IsServing)
        {
            return await _reader.GetByTagAsync(repository, tag, cancellationToken);
        }

        var key = (repository, tag);
        if (_tags.TryGet(key, out var hit))
        {
            return hit;
        }

        var version = _tags.Version;
        var manifest = await _reader.GetByTagAsync(repository, tag, cancellationToken);
        if (manifest is not null && manifest.Payload.Length <= MaxCachedPayload && _coherence.IsServing)
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

    public void Forget(CacheChange change)
    {
        switch (change.Kind)
        {
            case CacheChangeKind.Tag:
                _tags.Invalidate((change.Repository, change.Item));
                break;
            case CacheChangeKind.Manifest:
                // The tags it took with it are announced by the same transaction.
                _manifests.Invalidate((change.Repository, change.Item));
                break;
            case CacheChangeKind.Repository:
                RepositoryRemoved(change.Repository);
                break;
            case CacheChangeKind.Everything:
                ForgetAll();
                break;
            default:
                break; // An unlinked blob changes no manifest or tag.
        }
    }

    public void ForgetAll()
    {
        _manifests.Clear();
        _tags.Clear();
    }

    public ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken) =>
        _reader.ListTagsAsync(repository, last, limit, cancellationToken);

    public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) =>
        _reader.ListReferrersAsync(repository, subject, artifactType, cancellationToken);

    public async ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken)
    {
        try
        {
            return await _writer.PutAsync(repository, manifest, tag, cancellationToken);
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
            return await _writer.DeleteAsync(repository, digest, cancellationToken);
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
            return await _writer.DeleteTagAsync(repository, tag, cancellationToken);
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
            return await _writer.DeleteTagIfAsync(repository, tag, expected, cancellationToken);
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
        _writer.GetCapability<IProtectedTagWriter>() ?? throw new InvalidOperationException($"{_writer.GetType().Name} cannot keep immutable tags");
}
