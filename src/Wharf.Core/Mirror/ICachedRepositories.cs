namespace Wharf.Core.Mirror;

/// <summary>
/// Which repositories are caches of an upstream. Their blobs are linked without a manifest of the metadata store naming
/// them (cached manifests live under <c>mirror/</c> in storage), so the garbage collector keeps their links: a cached
/// blob stays until its repository is deleted, and is served while the upstream is down.
/// </summary>
public interface ICachedRepositories
{
    bool IsCached(string repository);
}
