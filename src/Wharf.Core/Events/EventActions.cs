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

    public static IReadOnlyList<string> All { get; } = [ManifestPush, ManifestDelete, TagDelete, RepositoryDelete, BlobMount, ManifestPull];
}
