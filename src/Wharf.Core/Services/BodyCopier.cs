using System.Buffers;
using System.Security.Cryptography;
using Wharf.Core.Storage;

namespace Wharf.Core.Services;

/// <summary>Streams a request body into a storage writer, hashing it on the way. Nothing is buffered whole.</summary>
public static class BodyCopier
{
    // 1 MiB blocks: large enough that per-block overhead (syscalls, task hops) vanishes next to hashing
    // (~0.6 ms per block at 1.6 GB/s), small enough that three in flight cost only 3 MiB per upload.
    private const int BlockSize = 1024 * 1024;
    private static readonly Task<int> FullBlockRead = Task.FromResult(BlockSize);

    // A body that ends within this many bytes is copied in one read from the shared pool.
    private const int SmallBody = 64 * 1024;

    // Blocks of uploads in flight are live whatever the pool; idle ones are kept for at most eight uploads (24 MiB).
    // The shared pool would keep one per thread-pool thread plus 32 per core, and a server's memory would creep up
    // with its thread count.
    private static ArrayPool<byte> _blocks = NewPool();

    // Small buffers in a pool of their own: the shared pool's per-thread caches miss when a copy resumes on another thread.
    private static ArrayPool<byte> _smallBuffers = NewSmallPool();

    private static ArrayPool<byte> Blocks => Volatile.Read(ref _blocks);

    /// <summary>
    /// Lets go of the idle blocks (the next upload allocates afresh), so that the collector can hand their memory back
    /// once a burst of pushes is over. Blocks in use go back to the new pool.
    /// </summary>
    public static void Trim()
    {
        Volatile.Write(ref _blocks, NewPool());
        Volatile.Write(ref _smallBuffers, NewSmallPool());
    }

    private static ArrayPool<byte> NewPool() => ArrayPool<byte>.Create(BlockSize, maxArraysPerBucket: 24);

    private static ArrayPool<byte> NewSmallPool() => ArrayPool<byte>.Create(SmallBody, maxArraysPerBucket: 64);

    /// <summary>
    /// Copies <paramref name="body"/> to <paramref name="writer"/> until the end of the stream, feeding
    /// <paramref name="hash"/> when given, and returns the number of bytes copied. Throws the body's
    /// <see cref="IOException"/> when the client goes away early.
    /// </summary>
    /// <remarks>
    /// A three-stage pipeline: while block N is hashed on this thread and written by the storage writer,
    /// block N+1 is already being received. A digest is sequential, so overlapping the three is the only
    /// way for one upload to approach the slower of the hash rate and the disk rate.
    /// </remarks>
    public static async ValueTask<long> CopyAsync(Stream body, IStorageWriter writer, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        // Most bodies are small (configs, small layers, chunks of them): one read into a small pooled buffer settles
        // them without taking three 1 MiB blocks, which 8 concurrent small pushes would otherwise hold (24 MiB).
        var smallPool = Volatile.Read(ref _smallBuffers);
        var small = smallPool.Rent(SmallBody);
        var pool = Blocks;
        byte[] current;
        int filled;
        try
        {
            var head = await body.ReadAtLeastAsync(small.AsMemory(0, SmallBody), SmallBody, throwOnEndOfStream: false, cancellationToken);
            if (head < SmallBody)
            {
                if (head > 0)
                {
                    hash?.AppendData(small, 0, head);
                    await writer.WriteAsync(small.AsMemory(0, head), cancellationToken);
                }

                return head;
            }

            // A large body: what was read starts the first block, so blocks still end at multiples of 1 MiB.
            current = pool.Rent(BlockSize);
            small.AsSpan(0, head).CopyTo(current);
            filled = head;
        }
        finally
        {
            smallPool.Return(small);
        }

        try
        {
            filled += await body.ReadAtLeastAsync(current.AsMemory(filled, BlockSize - filled), BlockSize - filled, throwOnEndOfStream: false, cancellationToken);
        }
        catch
        {
            pool.Return(current);
            throw;
        }

        return await CopyLargeAsync(body, writer, hash, pool, current, filled, cancellationToken);
    }

    /// <summary>A read that finished at once, as most full blocks do, without a task of its own.</summary>
    /// <remarks>
    /// The read is consumed once: a finished read's result is taken and never asked for again. Taking it and then asking
    /// for a task as well failed now and then for a short last block: a read that had finished by the time it was
    /// looked at is backed by a pooled source, which taking the result hands back (a pull-through cache's fetch of a
    /// 96 KiB layer failed that way, "nothing was stored").
    /// </remarks>
    internal static Task<int> AsTask(ValueTask<int> read)
    {
        if (!read.IsCompletedSuccessfully)
        {
            return read.AsTask();
        }

        var count = read.Result;
        return count == BlockSize ? FullBlockRead : Task.FromResult(count);
    }

    /// <summary>A write that finished at once without a task of its own; its result is still taken, once, so a pooled source behind it goes back for reuse.</summary>
    internal static Task AsTask(ValueTask write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            return write.AsTask();
        }

        write.GetAwaiter().GetResult();
        return Task.CompletedTask;
    }

    /// <summary>The pipelined copy of a large body, starting with <paramref name="current"/> holding its first <paramref name="filled"/> bytes.</summary>
    private static async ValueTask<long> CopyLargeAsync(
        Stream body, IStorageWriter writer, IncrementalHash? hash, ArrayPool<byte> pool, byte[] current, int filled, CancellationToken cancellationToken)
    {
        var next = pool.Rent(BlockSize);
        var spare = pool.Rent(BlockSize);
        var pendingWrite = Task.CompletedTask;
        var pendingRead = Task.FromResult(0);
        try
        {
            long total = 0;
            while (filled > 0)
            {
                pendingRead = AsTask(body.ReadAtLeastAsync(next.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, cancellationToken));
                hash?.AppendData(current, 0, filled);
                await pendingWrite;
                pendingWrite = AsTask(writer.WriteAsync(current.AsMemory(0, filled), cancellationToken));
                total += filled;
                filled = await pendingRead;

                // The block just handed to the writer is not reused until that write has completed.
                (current, next, spare) = (next, spare, current);
            }

            await pendingWrite;
            return total;
        }
        finally
        {
            // On failure, never hand a block back to the pool while a read or write still uses it.
            await Task.WhenAll(pendingWrite, pendingRead).SettledAsync();
            pool.Return(current);
            pool.Return(next);
            pool.Return(spare);
        }
    }

    /// <summary>Hashes a stored object from the start, for uploads whose running hash this process does not hold.</summary>
    public static async ValueTask<byte[]> HashStoredAsync(IStorageDriver driver, string path, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        await using var stream = await driver.OpenReadAsync(path, 0, cancellationToken)
            ?? throw new FileNotFoundException("Upload data is missing", path);
        var buffer = Blocks.Rent(BlockSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BlockSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            Blocks.Return(buffer);
        }

        return hash.GetHashAndReset();
    }
}
