using System.Buffers;
using System.Security.Cryptography;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Core.Storage;
using Wharf.Storage.FileSystem;

namespace Wharf.Import;

/// <summary>How a blob came into the store.</summary>
public enum BlobPlacement
{
    /// <summary>The store held it already: nothing was read.</summary>
    Present,

    /// <summary>A hard link to Distribution's file (same file system), published under its digest.</summary>
    Linked,

    /// <summary>Streamed into the store (another file system, or S3), through the push path.</summary>
    Copied,
}

/// <summary>
/// Puts one of Distribution's blob files into the configured store and links it to a repository, the way a push does:
/// bytes hashed against the digest before they are published under it, the digest held against the collector before
/// its path is looked at, the link within the namespace's quota. A blob the store already holds (whole: its size) is
/// only linked, never read again, so a rerun skips the work an earlier run finished.
/// </summary>
public sealed class BlobImporter(IStorageDriver storage, IBlobIndex blobs, IGcStore gc, NamespaceQuotas quotas, UploadService uploads)
{
    private const int BlockSize = 1024 * 1024;

    /// <summary>Places the bytes at <paramref name="source"/> as <paramref name="digest"/> if the store lacks them, then links the blob to <paramref name="repository"/>.</summary>
    public async ValueTask<Result<(BlobPlacement Placement, bool NewLink)>> ImportAsync(string repository, Digest digest, string source, long size, CancellationToken cancellationToken)
    {
        var blobPath = StorageLayout.Blob(digest);
        await gc.HoldBlobAsync(digest, cancellationToken);
        var existing = await storage.StatAsync(blobPath, cancellationToken);
        if (existing is { } whole && whole.Size == size)
        {
            if (await blobs.GetInRepositoryAsync(repository, digest, cancellationToken) is not null)
            {
                return (BlobPlacement.Present, false);
            }

            return await quotas.LinkAsync(repository, new BlobInfo(digest, size), null, cancellationToken) is { } refused
                ? refused
                : (BlobPlacement.Present, true);
        }

        if (existing is not null)
        {
            // Not bytes Wharf wrote (a digest's object always has that digest's size): replace them.
            await storage.DeleteAsync(blobPath, cancellationToken);
        }

        if (await TryLinkAsync(repository, digest, source, size, cancellationToken) is { } linked)
        {
            return linked;
        }

        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var copied = await uploads.PutMonolithicAsync(repository, digest, input, cancellationToken, size);
        return copied.IsOk ? (BlobPlacement.Copied, true) : copied.Error!;
    }

    /// <summary>
    /// On the filesystem driver, a second name for Distribution's file under <c>uploads/</c>, hashed there and then
    /// published under its digest: no byte is copied. Null when the store is not on the same file system (or not files):
    /// the caller copies instead.
    /// </summary>
    private async ValueTask<Result<(BlobPlacement, bool)>?> TryLinkAsync(string repository, Digest digest, string source, long size, CancellationToken cancellationToken)
    {
        var uploadPath = StorageLayout.Upload(UploadId.New());
        if (storage.GetCapability<IContentAddressedWrites>() is not null || storage.LocalFilePath(uploadPath) is not { } staged)
        {
            return null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        if (!HardLink.TryCreate(source, staged))
        {
            return null;
        }

        var published = false;
        try
        {
            // The linked name is the file itself: the bytes hashed are the bytes published.
            var (actual, length) = await HashAsync(staged, digest.Algorithm, cancellationToken);
            if (actual != digest || length != size)
            {
                return new RegistryError(ErrorCode.DigestInvalid, $"the file's bytes ({length} bytes) hash to {actual}, not {digest}");
            }

            var outcome = await storage.PublishAsync(uploadPath, StorageLayout.Blob(digest), null, cancellationToken);
            if (outcome is not (PublishOutcome.Published or PublishOutcome.DestinationExisted))
            {
                return null; // The staged name went (an upload sweep): copy instead.
            }

            published = true;
            return await quotas.LinkAsync(repository, new BlobInfo(digest, size), null, cancellationToken) is { } refused
                ? refused
                : (BlobPlacement.Linked, true);
        }
        finally
        {
            if (!published)
            {
                await storage.DeleteAsync(uploadPath, CancellationToken.None);
            }
        }
    }

    private static async ValueTask<(Digest Digest, long Size)> HashAsync(string path, string algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(Digest.HashName(algorithm));
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await input.ReadAsync(buffer.AsMemory(0, BlockSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
            }

            return (Digest.FromHash(algorithm, hash.GetHashAndReset()), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
