using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>How many of each kind of record the metadata store holds, for the report of <c>wharf check</c>.</summary>
public sealed record MetadataCounts(long Repositories, long Blobs, long Links, long Manifests, long References, long Tags);

/// <summary>What is wrong with one reference of the metadata store.</summary>
public enum ReferenceProblemKind
{
    /// <summary>A manifest refers to a blob (config, layer) that its repository does not link, or that no blob record describes.</summary>
    BlobNotLinked,

    /// <summary>An index refers to a child manifest that its repository does not hold.</summary>
    ChildManifestMissing,

    /// <summary>A tag points to a manifest that its repository does not hold.</summary>
    TagTargetMissing,

    /// <summary>A repository links a blob that no blob record describes.</summary>
    LinkWithoutBlob,
}

/// <summary>
/// One reference that does not resolve: in <paramref name="Repository"/>, <paramref name="Source"/> (a manifest digest, or
/// <c>tag:NAME</c> for a tag, or <c>link</c> for a repository's blob link) names <paramref name="Target"/>, which is missing.
/// </summary>
public sealed record ReferenceProblem(string Repository, string Source, string Target, ReferenceProblemKind Kind);

/// <summary>Read-only walks over the whole metadata store, for consistency checks and backups.</summary>
public interface IMetadataInventory
{
    ValueTask<MetadataCounts> CountAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> blob records by digest, after <paramref name="after"/> (null: from the first).</summary>
    ValueTask<IReadOnlyList<BlobInfo>> ListBlobsAsync(string? after, int limit, CancellationToken cancellationToken);

    /// <summary>The blob record of <paramref name="digest"/>, linked or not, or null when there is none.</summary>
    ValueTask<BlobInfo?> FindBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Every reference (manifest to blob, index to child, tag to manifest, link to blob) that does not resolve.</summary>
    IAsyncEnumerable<ReferenceProblem> FindBrokenReferencesAsync(CancellationToken cancellationToken);
}
