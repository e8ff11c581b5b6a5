using Wharf.Core.Protocol;

namespace Wharf.Core.Storage;

/// <summary>
/// The only place that maps registry objects to storage paths. The tree:
/// <code>
/// blobs/
///   sha256/ab/abcdef…          content-addressed bytes, shared by every repository (blobs and manifests)
///   sha512/12/1234…
/// uploads/
///   {uploadId}                 bytes of an upload in progress; moved into blobs/ on commit
/// listings/                    a cache, safe to delete at any time (docs/design/layer-browser.md)
///   v{format}-{limits}/sha256/ab/abcdef…   the file listing of a layer blob, in that listing format version, built
///                              under the limits fingerprinted
///   partial/{id}               a listing being written; moved into place when complete
/// quarantine/
///   sha256/ab/abcdef…          bytes that `wharf check --repair` found corrupt (wrong size or digest), moved out of
///                              blobs/ so that pulls answer BLOB_UNKNOWN; kept for inspection, safe to delete; the
///                              next push of the blob publishes fresh bytes under blobs/
/// </code>
/// Everything that refers to bytes (repositories, tags, links) lives in the metadata store.
/// </summary>
public static class StorageLayout
{
    public const string BlobsRoot = "blobs";

    /// <summary>A path that is never written: readiness asks the driver about it, a cheap round trip to the store.</summary>
    public const string ReadinessProbe = "readiness-probe";
    public const string UploadsRoot = "uploads";

    public static string Blob(Digest digest) =>
        $"{BlobsRoot}/{digest.Algorithm}/{digest.Encoded[..2]}/{digest.Encoded}";

    public const string ListingsRoot = "listings";

    public const string QuarantineRoot = "quarantine";

    /// <summary>Where <c>wharf check --repair</c> moves the corrupt bytes of <paramref name="digest"/>.</summary>
    public static string QuarantinedBlob(Digest digest) =>
        $"{QuarantineRoot}/{digest.Algorithm}/{digest.Encoded[..2]}/{digest.Encoded}";

    /// <summary>
    /// The cached file listing of a layer under <paramref name="key"/>: <c>v{format}-{limits}</c>, the listing format
    /// version and the fingerprint (hex) of the limits it was built under.
    /// </summary>
    public static string LayerListing(Digest digest, string key) =>
        $"{ListingsRoot}/{key}/{digest.Algorithm}/{digest.Encoded[..2]}/{digest.Encoded}";

    /// <summary>Where a listing is written before it is moved into place; <paramref name="id"/> is a fresh GUID.</summary>
    public static string PartialLayerListing(Guid id) => $"{ListingsRoot}/partial/{id:N}";

    /// <summary>Upload ids are validated by the caller (<see cref="UploadId"/>), so they are safe path components.</summary>
    public static string Upload(string uploadId) => UploadsRoot + "/" + uploadId;
}
