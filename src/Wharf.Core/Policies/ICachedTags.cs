using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Policies;

/// <summary>
/// The pull-through cache's tags as retention sees them (docs/design/mirroring.md, "Retention"): they live in storage,
/// not in the metadata store, and a cached tag's "push" is its last pull through the cache.
/// </summary>
public interface ICachedTags
{
    /// <summary>The cached repositories of the configured upstreams that hold cached tags or manifests.</summary>
    IAsyncEnumerable<string> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Every cached tag of <paramref name="repository"/>, most recently pulled (or fetched) first, ties by name.</summary>
    ValueTask<IReadOnlyList<RetentionTag>> ListTagsAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Removes the cached tag if it still points at <paramref name="digest"/>; false when it moved or went meanwhile.</summary>
    ValueTask<bool> DeleteTagIfAsync(string repository, string tag, Digest digest, CancellationToken cancellationToken);
}
