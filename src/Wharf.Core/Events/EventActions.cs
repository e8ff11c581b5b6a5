namespace Wharf.Core.Events;

/// <summary>What a registry event reports. Webhook endpoints filter on these names.</summary>
public static class EventActions
{
    public const string ManifestPush = "manifest.push";

    public const string ManifestDelete = "manifest.delete";

    public const string TagDelete = "tag.delete";

    public const string RepositoryDelete = "repository.delete";

    public const string BlobMount = "blob.mount";

    /// <summary>A manifest read; sent only to endpoints that ask for pulls.</summary>
    public const string ManifestPull = "manifest.pull";

    /// <summary>A push refused because its namespace's quota would be exceeded; sent only to endpoints that ask.</summary>
    public const string QuotaExceeded = "quota.exceeded";

    /// <summary>A push or delete refused by an immutable-tag rule; sent only to endpoints that ask.</summary>
    public const string TagImmutable = "tag.immutable";

    public static IReadOnlyList<string> All { get; } = [ManifestPush, ManifestDelete, TagDelete, RepositoryDelete, BlobMount, ManifestPull, QuotaExceeded, TagImmutable];

    /// <summary>What an endpoint that names no actions gets: every change (Distribution's push, delete and mount), no reads or refusals.</summary>
    public static IReadOnlyList<string> Changes { get; } = [ManifestPush, ManifestDelete, TagDelete, RepositoryDelete, BlobMount];
}
