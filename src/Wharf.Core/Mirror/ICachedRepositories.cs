namespace Wharf.Core.Mirror;

/// <summary>
/// Which repositories are caches of an upstream, and which of their blobs the cache still needs. Their blobs are linked
/// without a manifest of the metadata store naming them (cached manifests live under <c>mirror/</c> in storage), so the
/// garbage collector asks here instead: a link stays while a cached manifest of the repository names its blob.
/// </summary>
public interface ICachedRepositories
{
    bool IsCached(string repository);

    /// <summary>The digests of the blobs that the repository's cached manifests name, read from storage when asked.</summary>
    ValueTask<IReadOnlySet<string>> NamedBlobsAsync(string repository, CancellationToken cancellationToken);
}

/// <summary>The cached repositories of the configured upstreams, and their cached manifests in storage.</summary>
public sealed class CachedRepositories(MirrorNames names, CachedManifests manifests) : ICachedRepositories
{
    public bool IsCached(string repository) => names.IsCached(repository);

    public async ValueTask<IReadOnlySet<string>> NamedBlobsAsync(string repository, CancellationToken cancellationToken) =>
        await manifests.NamedBlobsAsync(repository, cancellationToken);
}

/// <summary>
/// Whether a link of a cached repository is named by one of its cached manifests, reading each repository's manifests
/// once for the life of this object (one collector batch, or one offline plan). Without a cache, nothing is named.
/// </summary>
public sealed class CachedBlobNames(ICachedRepositories? cached)
{
    private readonly Dictionary<string, IReadOnlySet<string>> _named = new(StringComparer.Ordinal);

    public async ValueTask<bool> NamesAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        if (cached is null || !cached.IsCached(repository))
        {
            return false;
        }

        if (!_named.TryGetValue(repository, out var blobs))
        {
            _named[repository] = blobs = await cached.NamedBlobsAsync(repository, cancellationToken);
        }

        return blobs.Contains(digest);
    }
}
