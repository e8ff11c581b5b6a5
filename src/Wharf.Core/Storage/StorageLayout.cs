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
/// </code>
/// Everything that refers to bytes (repositories, tags, links) lives in the metadata store.
/// </summary>
public static class StorageLayout
{
    public const string BlobsRoot = "blobs";
    public const string UploadsRoot = "uploads";

    public static string Blob(Digest digest) =>
        $"{BlobsRoot}/{digest.Algorithm}/{digest.Encoded[..2]}/{digest.Encoded}";

    /// <summary>Upload ids are validated by the caller (<see cref="UploadId"/>), so they are safe path components.</summary>
    public static string Upload(string uploadId) => UploadsRoot + "/" + uploadId;
}
