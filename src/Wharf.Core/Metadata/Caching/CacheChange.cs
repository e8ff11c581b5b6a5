namespace Wharf.Core.Metadata.Caching;

/// <summary>What a change made by another process touched, as the metadata store announces it.</summary>
public enum CacheChangeKind
{
    /// <summary>A tag moved or went away: <see cref="CacheChange.Item"/> is the tag.</summary>
    Tag,

    /// <summary>A manifest was deleted: <see cref="CacheChange.Item"/> is its digest.</summary>
    Manifest,

    /// <summary>A blob was unlinked from the repository: <see cref="CacheChange.Item"/> is its digest.</summary>
    Link,

    /// <summary>The repository went away, or too much of it changed to name: forget everything cached under it.</summary>
    Repository,

    /// <summary>Too much changed to name (or the announcement was not understood): forget everything.</summary>
    Everything,
}

/// <summary>One change announced by the metadata store after it committed (see docs/design/cache-invalidation.md).</summary>
public readonly record struct CacheChange(CacheChangeKind Kind, string Repository = "", string Item = "")
{
    public static CacheChange Everything { get; } = new(CacheChangeKind.Everything);
}
