using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>Blob pulls and deletes.</summary>
public sealed class BlobService(IStorageDriver storage, IBlobIndex blobs)
{
    /// <summary>The blob if <paramref name="repository"/> may see it.</summary>
    public async ValueTask<Result<BlobInfo>> StatAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var blob = await blobs.GetInRepositoryAsync(repository, digest, cancellationToken);
        return blob is null ? ErrorCode.BlobUnknown : blob;
    }

    /// <summary>
    /// Whether storage holds the blob's bytes. The metadata may record a blob whose bytes are gone: quarantined by
    /// <c>wharf check --repair</c> (corrupt), or lost; such a blob is unknown to pulls until it is pushed again.
    /// </summary>
    public async ValueTask<bool> IsStoredAsync(Digest digest, CancellationToken cancellationToken) =>
        await FindBytesAsync(digest, cancellationToken) is not null;

    /// <summary>Where storage holds the blob's bytes (<see cref="StorageObjectInfo.LocalPath"/>: a local file), or null when it holds none (see <see cref="IsStoredAsync"/>).</summary>
    public ValueTask<StorageObjectInfo?> FindBytesAsync(Digest digest, CancellationToken cancellationToken) =>
        storage.StatAsync(StorageLayout.Blob(digest), cancellationToken);

    /// <summary>Where the blob's local file is or would be (not looked at), or null when storage keeps no local files for it.</summary>
    public string? LocalFilePath(Digest digest) => storage.LocalFilePath(StorageLayout.Blob(digest));

    /// <summary>A short-lived direct URL for the blob's bytes, or null when storage offers none.</summary>
    public ValueTask<Uri?> RedirectUrlAsync(Digest digest, CancellationToken cancellationToken) =>
        storage.RedirectUrlAsync(StorageLayout.Blob(digest), cancellationToken);

    /// <summary>Opens the blob's bytes from <paramref name="offset"/>; the caller disposes the stream.</summary>
    public async ValueTask<Result<Stream>> OpenAsync(Digest digest, long offset, CancellationToken cancellationToken)
    {
        var stream = await storage.OpenReadAsync(StorageLayout.Blob(digest), offset, cancellationToken);
        return stream is null ? ErrorCode.BlobUnknown : stream;
    }

    /// <summary>Removes the blob from a repository. Its bytes stay for other repositories until garbage collection.</summary>
    public async ValueTask<Result<bool>> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        await blobs.UnlinkAsync(repository, digest, cancellationToken) ? true : ErrorCode.BlobUnknown;
}
