using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services;

/// <summary>Upload settings (config section <c>Uploads</c>).</summary>
public sealed class UploadOptions
{
    /// <summary>An upload with no activity for this long is abandoned and removed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often abandoned uploads are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Manifest settings (config section <c>Manifests</c>).</summary>
public sealed class ManifestOptions
{
    /// <summary>Largest manifest accepted, in bytes; larger pushes get 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxSize { get; set; } = 4 * 1024 * 1024;
}

/// <summary>Listing settings (config section <c>Pagination</c>).</summary>
public sealed class PaginationOptions
{
    /// <summary>Page size when a client gives no <c>n</c>, and the most a page ever holds.</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 10_000;
}

/// <summary>How blob GETs are answered when the storage driver can hand out direct URLs.</summary>
public enum BlobDelivery
{
    /// <summary>307 to a short-lived presigned URL: the bytes flow from storage to the client, not through Wharf.</summary>
    Redirect,

    /// <summary>Wharf streams the bytes itself.</summary>
    Proxy,
}

/// <summary>Blob-serving settings (config section <c>Blobs</c>).</summary>
public sealed class BlobOptions
{
    /// <summary>Redirect (the default) or Proxy. Drivers without direct URLs (the filesystem) always serve the bytes.</summary>
    public BlobDelivery Delivery { get; set; } = BlobDelivery.Redirect;
}
