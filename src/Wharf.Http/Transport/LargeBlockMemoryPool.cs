using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Wharf.Http.Transport;

/// <summary>
/// Kestrel's transport reads a socket into blocks from this pool, one block per receive call. With the
/// default 4 KiB blocks a 1 GiB layer push costs 262,144 receives (plus as many readiness waits), and on a
/// virtual machine where a syscall costs ~0.6 µs that was 2 cpu-s of kernel time per GiB. 64 KiB blocks cut
/// the calls sixteenfold. Blocks are pinned (sockets write into them) and reused; the pool keeps at most
/// <see cref="MaxPooledBlocks"/> idle blocks (16 MiB).
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    private const int MaxPooledBlocks = 256;
    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            return new Block(this, GC.AllocateUninitializedArray<byte>(minBufferSize, pinned: true), pooled: false);
        }

        if (_free.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _freeCount);
        }

        return new Block(this, array ?? GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), pooled: true);
    }

    protected override void Dispose(bool disposing) => Trim();

    /// <summary>Lets go of the idle blocks; blocks in use come back to the pool as usual.</summary>
    public void Trim()
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private void Return(byte[] array)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxPooledBlocks)
        {
            _free.Enqueue(array);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array, bool pooled) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null && pooled)
            {
                pool.Return(array);
            }
        }
    }
}

/// <summary>Hands Kestrel <see cref="LargeBlockMemoryPool"/>s instead of its 4 KiB-block pools, and trims them all on demand.</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly List<WeakReference<LargeBlockMemoryPool>> _pools = [];
    private readonly Lock _gate = new();

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new LargeBlockMemoryPool();
        lock (_gate)
        {
            _pools.RemoveAll(p => !p.TryGetTarget(out _));
            _pools.Add(new WeakReference<LargeBlockMemoryPool>(pool));
        }

        return pool;
    }

    /// <summary>Lets go of the idle blocks of every pool made so far.</summary>
    public void Trim()
    {
        lock (_gate)
        {
            foreach (var reference in _pools)
            {
                if (reference.TryGetTarget(out var pool))
                {
                    pool.Trim();
                }
            }
        }
    }
}
