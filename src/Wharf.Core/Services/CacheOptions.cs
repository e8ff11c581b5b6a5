namespace Wharf.Core.Services;

/// <summary>Metadata caching (config section <c>Cache</c>).</summary>
public sealed class CacheOptions
{
    /// <summary>
    /// Cache manifests, tags and blob visibility in memory. Correct only while this process is the sole
    /// writer of the metadata store, which is the single-node setup.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
