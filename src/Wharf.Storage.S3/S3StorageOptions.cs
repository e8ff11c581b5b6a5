using System.ComponentModel.DataAnnotations;

namespace Wharf.Storage.S3;

/// <summary>The <c>Storage:S3</c> section: an S3-compatible bucket (AWS S3, Ceph RGW, MinIO, …).</summary>
public sealed class S3StorageOptions
{
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The service URL, e.g. <c>http://127.0.0.1:7480</c>. Required for anything but AWS itself.</summary>
    [Required]
    [Url]
    public string Endpoint { get; set; } = "";

    /// <summary>The signing region; S3-compatible stores usually accept <c>us-east-1</c>.</summary>
    [Required]
    public string Region { get; set; } = "us-east-1";

    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "Bucket must be a valid S3 bucket name")]
    public string Bucket { get; set; } = "";

    [Required]
    public string AccessKey { get; set; } = "";

    [Required]
    public string SecretKey { get; set; } = "";

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>), which most S3-compatible stores need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Keys are <c>{Prefix}/blobs/…</c> when set, so several registries can share a bucket.</summary>
    [RegularExpression("^([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$", ErrorMessage = "Prefix must be '/'-separated segments without a leading or trailing '/'")]
    public string Prefix { get; set; } = "";

    /// <summary>Size of one multipart part, and so of each buffer an upload holds (one filling, plus one per part in flight).</summary>
    [Range(MinimumPartSize, 512 * 1024 * 1024)]
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Parts of one upload sent at once while the next fills; memory per upload is (this + 1) × <see cref="PartSize"/>.</summary>
    [Range(1, 16)]
    public int PartsInFlight { get; set; } = 3;

    /// <summary>Objects larger than this move with a multipart copy instead of one CopyObject (S3 allows at most 5 GiB per copy).</summary>
    [Range(MinimumPartSize, 5L * 1024 * 1024 * 1024)]
    public long MultipartCopyThreshold { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Size of one part of a multipart copy (parts are between this and twice this, so at most 2 GiB).</summary>
    [Range(MinimumPartSize, 2L * 1024 * 1024 * 1024)]
    public long CopyPartSize { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long a presigned redirect URL stays valid.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan RedirectLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How long this instance remembers where a published blob's redirect goes (its data object), so that a redirected GET
    /// costs no request to the store; zero asks every time. Deletes on this instance forget at once; a blob deleted by
    /// another instance and pushed again within this time could be redirected to its removed bytes, so keep it well under
    /// the garbage collector's grace period (docs/design/s3.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RedirectCacheLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time limit of one request to the store; past it the registry answers 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a failed request (the SDK backs off between them). Low, so an outage answers 503 quickly.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Creates the bucket at startup when it does not exist.</summary>
    public bool CreateBucket { get; set; }
}
