using System.Buffers;
using System.Security.Cryptography;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Maintenance;

/// <summary>What is wrong with a blob's stored bytes.</summary>
public enum BlobFault
{
    /// <summary>Storage holds no object for the blob.</summary>
    Missing,

    /// <summary>The object's size is not the recorded one.</summary>
    WrongSize,

    /// <summary>The object has the recorded size, but its bytes hash to another digest.</summary>
    WrongDigest,
}

/// <summary>
/// The verdict on one blob: <paramref name="Fault"/> null when its bytes are whole. <paramref name="Seen"/> is the object
/// that was examined (null when missing), <paramref name="Actual"/> what its bytes hash to (when hashed).
/// </summary>
public sealed record BlobVerdict(BlobInfo Blob, BlobFault? Fault, StorageObjectInfo? Seen, Digest? Actual)
{
    public string Describe() => Fault switch
    {
        BlobFault.Missing => "missing from storage",
        BlobFault.WrongSize => $"wrong size: storage holds {Seen?.Size} bytes, the metadata records {Blob.Size}",
        BlobFault.WrongDigest => $"wrong digest: the stored bytes hash to {Actual}",
        _ => "ok",
    };
}

/// <summary>Checks a blob's stored object against its record: present, of the recorded size, and hashing to its digest.</summary>
public static class BlobVerifier
{
    private const int BlockSize = 1024 * 1024;

    /// <summary>Re-hashes the stored bytes as a stream, one block at a time; nothing is buffered whole.</summary>
    public static async ValueTask<BlobVerdict> VerifyAsync(IStorageDriver storage, BlobInfo blob, CancellationToken cancellationToken)
    {
        var path = StorageLayout.Blob(blob.Digest);
        var seen = await storage.StatAsync(path, cancellationToken);
        if (seen is null)
        {
            return new BlobVerdict(blob, BlobFault.Missing, null, null);
        }

        if (seen.Value.Size != blob.Size)
        {
            return new BlobVerdict(blob, BlobFault.WrongSize, seen, null);
        }

        await using var stream = await storage.OpenReadAsync(path, 0, cancellationToken);
        if (stream is null)
        {
            return new BlobVerdict(blob, BlobFault.Missing, null, null);
        }

        using var hash = IncrementalHash.CreateHash(Digest.HashName(blob.Digest.Algorithm));
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        long read = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(0, BlockSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                read += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (read != blob.Size)
        {
            // The object changed size while it was read.
            return new BlobVerdict(blob, BlobFault.WrongSize, seen.Value with { Size = read }, null);
        }

        var actual = Digest.FromHash(blob.Digest.Algorithm, hash.GetHashAndReset());
        return actual == blob.Digest
            ? new BlobVerdict(blob, null, seen, actual)
            : new BlobVerdict(blob, BlobFault.WrongDigest, seen, actual);
    }
}
