using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem;

/// <summary>A 1 MiB block whose first byte sits on a 4 KiB boundary, as <c>O_DIRECT</c> writes need.</summary>
internal readonly record struct DirectBuffer(byte[] Array, int Offset)
{
    public Memory<byte> Memory => Array.AsMemory(Offset, DirectBuffers.Size);
}

/// <summary>
/// The staging blocks of direct writes: pinned (they are handed to the kernel by address) and kept for reuse, at most
/// <see cref="MaxIdle"/> of them, so that large pushes do not each leave 2 MiB on the pinned heap for a full collection.
/// </summary>
internal static class DirectBuffers
{
    public const int Alignment = 4096;
    public const int Size = 1024 * 1024;
    private const int MaxIdle = 16;
    private static readonly ConcurrentQueue<DirectBuffer> Idle = new();

    public static DirectBuffer Rent()
    {
        if (Idle.TryDequeue(out var buffer))
        {
            return buffer;
        }

        var array = GC.AllocateUninitializedArray<byte>(Size + Alignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        return new DirectBuffer(array, (int)((Alignment - (address % Alignment)) % Alignment));
    }

    public static void Return(DirectBuffer buffer)
    {
        if (Idle.Count < MaxIdle)
        {
            Idle.Enqueue(buffer);
        }
    }

    /// <summary>Lets go of the idle blocks, so that the collector can hand their memory back after a burst of pushes.</summary>
    public static void Trim() => Idle.Clear();
}
