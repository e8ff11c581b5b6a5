using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>
/// Manifest writes that keep protected (immutable) tags in place, each checked and done in one transaction of the
/// store. Both serialise per repository with each other (PostgreSQL: a transaction-scoped advisory lock; SQLite: the
/// one writer), so a guarded delete never misses a protected tag pushed at the same time.
/// </summary>
public interface IProtectedTagWriter
{
    /// <summary>
    /// Stores the manifest and points <paramref name="tag"/> at it like <see cref="IManifestWriter.PutAsync"/>, but only
    /// while the tag is absent or already points to this manifest; otherwise <see cref="ManifestPutStatus.TagTaken"/>
    /// and nothing is written.
    /// </summary>
    ValueTask<ManifestPutResult> PutKeepingTagAsync(string repository, ManifestRecord manifest, string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the manifest like <see cref="IManifestWriter.DeleteAsync"/>, unless a tag for which
    /// <paramref name="isProtected"/> holds points to it: then nothing changes and that tag is named.
    /// </summary>
    ValueTask<ProtectedManifestDelete> DeleteUnlessProtectedAsync(string repository, Digest digest, Func<string, bool> isProtected, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IProtectedTagWriter.DeleteUnlessProtectedAsync"/>: deleted, or refused because of <paramref name="ProtectedBy"/>, or neither (unknown manifest).</summary>
public sealed record ProtectedManifestDelete(bool Deleted, string? ProtectedBy = null);

/// <summary>A tag as retention sees it: when it was last pushed, and when its manifest was last pulled in the repository (null: never counted).</summary>
public sealed record RetentionTag(string Name, Digest Digest, DateTimeOffset PushedAt, DateTimeOffset? LastPulledAt);

/// <summary>What retention reads: every tag of a repository with its push and pull times.</summary>
public interface IRetentionReader
{
    /// <summary>Every tag of <paramref name="repository"/>, most recently pushed first (ties by name); empty when unknown.</summary>
    ValueTask<IReadOnlyList<RetentionTag>> ListTagsAsync(string repository, CancellationToken cancellationToken);
}

/// <summary>What a quota-checked link did.</summary>
public enum QuotaLinkOutcome
{
    Linked,

    /// <summary>The blob would take the namespace above its quota; nothing was linked.</summary>
    OverQuota,

    /// <summary>A mount of a blob that is not recorded (any more: the garbage collector may have just deleted it); nothing was linked.</summary>
    BlobGone,
}

/// <summary>The outcome of a quota-checked link; <paramref name="Usage"/> is the namespace's usage before it.</summary>
public sealed record QuotaLink(QuotaLinkOutcome Outcome, long Usage)
{
    public bool Linked => Outcome == QuotaLinkOutcome.Linked;
}

/// <summary>
/// Storage used by a namespace (the first path segment of repository names): the sum of the sizes of the distinct blobs
/// linked to its repositories.
/// </summary>
public interface INamespaceUsageStore
{
    /// <summary>Bytes used by <paramref name="namespaceName"/>; 0 when it has no repository.</summary>
    ValueTask<long> UsageAsync(string namespaceName, CancellationToken cancellationToken);

    /// <summary>Whether some repository of the namespace links the blob already (storing it there again costs nothing).</summary>
    ValueTask<bool> ContainsAsync(string namespaceName, Digest digest, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> repositories of the namespace, in lexical order.</summary>
    ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(string namespaceName, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Links an uploaded blob like <see cref="IBlobIndex.LinkAsync"/>, unless that would take the namespace of
    /// <paramref name="repository"/> above <paramref name="quota"/> bytes: a blob the namespace already links always
    /// links. The check and the link are one transaction, serialised per namespace, so concurrent pushes never overshoot.
    /// A refused blob is recorded unlinked and queued for the garbage collector, which reclaims its bytes.
    /// </summary>
    ValueTask<QuotaLink> LinkWithinQuotaAsync(string repository, BlobInfo blob, string? completedUpload, long quota, CancellationToken cancellationToken);

    /// <summary>
    /// Mounts a recorded blob like <see cref="IBlobIndex.LinkExistingAsync"/> (<see cref="QuotaLinkOutcome.BlobGone"/>
    /// when it is not recorded), within the quota as <see cref="LinkWithinQuotaAsync"/>.
    /// </summary>
    ValueTask<QuotaLink> MountWithinQuotaAsync(string repository, BlobInfo blob, long quota, CancellationToken cancellationToken);
}
