using System.Buffers;
using System.Security.Cryptography;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>Streams a request body into a storage writer, hashing it on the way. Nothing is buffered whole.</summary>
public static class BodyCopier
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>
    /// Copies <paramref name="body"/> to <paramref name="writer"/> until the end of the stream, feeding
    /// <paramref name="hash"/> when given. Returns the number of bytes copied. Throws the body's
    /// <see cref="IOException"/> when the client goes away early.
    /// </summary>
    public static async ValueTask<long> CopyAsync(Stream body, IStorageWriter writer, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash?.AppendData(buffer, 0, read);
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes a stored object from the start, for uploads whose running hash this process does not hold.</summary>
    public static async ValueTask<byte[]> HashStoredAsync(IStorageDriver driver, string path, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        await using var stream = await driver.OpenReadAsync(path, 0, cancellationToken)
            ?? throw new FileNotFoundException("Upload data is missing", path);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetHashAndReset();
    }
}
