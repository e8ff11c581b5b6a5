using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services;

/// <summary>The in-process metadata caches (config section <c>Cache</c>): whether they run, and the most each holds.</summary>
public sealed class CacheOptions
{
    /// <summary>
    /// Cache manifests, tags and blob visibility in memory. Correct only while this process is the sole
    /// writer of the metadata store, which is the single-node setup.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Manifest payload bytes held by each of the two manifest caches (by digest, by tag).</summary>
    [Range(0, long.MaxValue)]
    public long ManifestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Repository-and-digest entries of the blob visibility cache.</summary>
    [Range(0, int.MaxValue)]
    public int BlobEntries { get; set; } = 50_000;
}
