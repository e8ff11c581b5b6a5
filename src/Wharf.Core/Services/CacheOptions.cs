using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services;

/// <summary>The in-process metadata caches (config section <c>Cache</c>): whether they run, and the most each holds.</summary>
public sealed class CacheOptions
{
    /// <summary>
    /// Cache manifests, tags and blob visibility in memory. With SQLite this process is the only writer; with
    /// PostgreSQL every instance hears the others' changes (LISTEN/NOTIFY) and serves from memory only while it
    /// listens (docs/design/cache-invalidation.md).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Manifest payload bytes held by each of the two manifest caches (by digest, by tag).</summary>
    [Range(0, long.MaxValue)]
    public long ManifestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Repository-and-digest entries of the blob visibility cache.</summary>
    [Range(0, int.MaxValue)]
    public int BlobEntries { get; set; } = 50_000;

    /// <summary>
    /// PostgreSQL: how long the cache listener waits for an announcement before it checks its connection with a query.
    /// A connection that died without a word is found within this plus the command timeout; meanwhile the caches serve.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ListenerCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL: how long the cache listener waits before it connects again after losing its connection.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ListenerReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
}
