using System.Buffers;
using System.Security.Cryptography;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Storage.FileSystem;

namespace Wharf.Backup;

/// <summary>What happened to one blob file copied by <c>backup</c> or <c>restore</c>.</summary>
public enum BlobFileOutcome
{
    /// <summary>The destination already held a file of the right size; nothing was done.</summary>
    AlreadyPresent,

    /// <summary>The destination is now a hard link to the source (same file system).</summary>
    Linked,

    Copied,

    /// <summary>The blob was kept in the database (a small blob) and has been written out as a file.</summary>
    Written,

    /// <summary>There is no source file.</summary>
    SourceMissing,

    /// <summary>The source file's size is not the recorded one; nothing was placed.</summary>
    WrongSize,

    /// <summary>The source's bytes hash to another digest; nothing was placed.</summary>
    WrongDigest,
}

/// <summary>
/// Places blob files between a data directory and a backup. A file appears at its destination only whole (written
/// beside it, then renamed), so an interrupted run leaves nothing half-copied to be mistaken for a blob.
/// </summary>
public static class BlobFiles
{
    private const int BlockSize = 1024 * 1024;

    /// <summary>
    /// For backups: links (or, across file systems, copies) <paramref name="source"/> to <paramref name="destination"/>
    /// unless a file of the blob's size is there already. Blob files are immutable, so a link is as good as a copy.
    /// </summary>
    public static BlobFileOutcome LinkOrCopy(BlobInfo blob, string source, string destination)
    {
        if (IsPresent(destination, blob.Size))
        {
            return BlobFileOutcome.AlreadyPresent;
        }

        var info = new FileInfo(source);
        if (!info.Exists)
        {
            return BlobFileOutcome.SourceMissing;
        }

        if (info.Length != blob.Size)
        {
            return BlobFileOutcome.WrongSize;
        }

        var partial = Partial(destination);
        if (HardLink.TryCreate(source, partial))
        {
            File.Move(partial, destination, overwrite: true);
            return BlobFileOutcome.Linked;
        }

        File.Copy(source, partial, overwrite: true);
        if (new FileInfo(partial).Length != blob.Size)
        {
            File.Delete(partial);
            return BlobFileOutcome.WrongSize;
        }

        File.Move(partial, destination, overwrite: true);
        return BlobFileOutcome.Copied;
    }

    /// <summary>
    /// For restores: copies <paramref name="source"/> to <paramref name="destination"/> unless a file of the blob's size is
    /// there already, checking the size and, with <paramref name="verify"/>, the digest of the bytes as they stream past.
    /// </summary>
    public static async Task<BlobFileOutcome> CopyVerifiedAsync(BlobInfo blob, string source, string destination, bool verify, CancellationToken cancellationToken)
    {
        if (IsPresent(destination, blob.Size))
        {
            return BlobFileOutcome.AlreadyPresent;
        }

        if (!File.Exists(source))
        {
            return BlobFileOutcome.SourceMissing;
        }

        var partial = Partial(destination);
        var placed = false;
        try
        {
            using var hash = verify ? IncrementalHash.CreateHash(Digest.HashName(blob.Digest.Algorithm)) : null;
            long size = 0;
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous))
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
                try
                {
                    int read;
                    while ((read = await input.ReadAsync(buffer.AsMemory(0, BlockSize), cancellationToken)) > 0)
                    {
                        hash?.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        size += read;
                    }

                    await output.FlushAsync(cancellationToken);
                    output.Flush(flushToDisk: true);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            if (size != blob.Size)
            {
                return BlobFileOutcome.WrongSize;
            }

            if (hash is not null && Digest.FromHash(blob.Digest.Algorithm, hash.GetHashAndReset()) != blob.Digest)
            {
                return BlobFileOutcome.WrongDigest;
            }

            File.Move(partial, destination, overwrite: true);
            placed = true;
            return BlobFileOutcome.Copied;
        }
        finally
        {
            if (!placed)
            {
                File.Delete(partial);
            }
        }
    }

    /// <summary>
    /// For backups of a blob kept in the database (small blobs, docs/design/storage.md): writes its bytes, read whole in
    /// <paramref name="bytes"/> (null when it is gone), to <paramref name="destination"/>, so that a backup holds every
    /// blob as a file and a restore needs nothing else.
    /// </summary>
    public static async Task<BlobFileOutcome> WriteAsync(BlobInfo blob, Func<Task<byte[]?>> bytes, string destination, CancellationToken cancellationToken)
    {
        if (IsPresent(destination, blob.Size))
        {
            return BlobFileOutcome.AlreadyPresent;
        }

        if (await bytes() is not { } content)
        {
            return BlobFileOutcome.SourceMissing;
        }

        if (content.Length != blob.Size)
        {
            return BlobFileOutcome.WrongSize;
        }

        var partial = Partial(destination);
        await File.WriteAllBytesAsync(partial, content, cancellationToken);
        File.Move(partial, destination, overwrite: true);
        return BlobFileOutcome.Written;
    }

    private static bool IsPresent(string path, long size)
    {
        var info = new FileInfo(path);
        return info.Exists && info.Length == size;
    }

    private static string Partial(string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        return destination + ".partial-" + Guid.NewGuid().ToString("N");
    }
}
