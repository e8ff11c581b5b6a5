using System.IO.Compression;
using Wharf.Core.Storage;
using ZstdSharp;

namespace Wharf.Core.Services.Layers;

/// <summary>How a layer blob is compressed, told by its first bytes (media types lie often enough).</summary>
internal enum LayerCompression
{
    None,
    Gzip,
    Zstd,
    Unsupported,
}

/// <summary>Opens a layer blob's tar stream: sniffs the compression and puts the right decompressor in front.</summary>
internal static class LayerStreams
{
    public static LayerCompression Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1F, 0x8B, ..] => LayerCompression.Gzip,
        [0x28, 0xB5, 0x2F, 0xFD, ..] => LayerCompression.Zstd,
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, ..] => LayerCompression.Unsupported, // xz
        [0x42, 0x5A, 0x68, ..] => LayerCompression.Unsupported, // bzip2
        _ => LayerCompression.None,
    };

    /// <summary>The decompressed tar stream over <paramref name="blob"/> (which it owns), or null for an unsupported compression.</summary>
    public static async ValueTask<(Stream? Tar, LayerCompression Compression)> OpenAsync(Stream blob, CancellationToken cancellationToken)
    {
        var head = new byte[6];
        var length = await blob.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);

        var compression = Detect(head.AsSpan(0, length));
        var replayed = new ReplayStream(head.AsMemory(0, length), blob);
        Stream? tar = compression switch
        {
            LayerCompression.Gzip => new GZipStream(replayed, CompressionMode.Decompress),
            LayerCompression.Zstd => new DecompressionStream(replayed),
            LayerCompression.None => replayed,
            _ => null,
        };
        if (tar is null)
        {
            await replayed.DisposeAsync();
        }

        return (tar, compression);
    }
}

/// <summary>Reads <paramref name="head"/> again, then the rest of <paramref name="rest"/> (which it owns).</summary>
internal sealed class ReplayStream(ReadOnlyMemory<byte> head, Stream rest) : ReadOnlyForwardingStream(rest)
{
    private ReadOnlyMemory<byte> _head = head;

    public override int Read(Span<byte> buffer)
    {
        if (_head.IsEmpty)
        {
            return Inner.Read(buffer);
        }

        var n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer);
        _head = _head[n..];
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_head.IsEmpty)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }

        var n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer.Span);
        _head = _head[n..];
        return ValueTask.FromResult(n);
    }
}

/// <summary>Thrown by <see cref="BudgetStream"/> when a layer expands past its budget.</summary>
internal sealed class LayerBudgetExceededException() : IOException("the layer expands past the uncompressed-byte budget");

/// <summary>Thrown by <see cref="BudgetStream"/> when one read asks for more than a tar metadata record may hold.</summary>
internal sealed class LayerEntryTooLargeException() : IOException("a tar metadata record (PAX header or GNU long name) is larger than the browser reads");

/// <summary>
/// Counts the bytes read through it and throws <see cref="LayerBudgetExceededException"/> past <paramref name="budget"/>.
/// It also refuses, with <see cref="LayerEntryTooLargeException"/>, any single read of more than
/// <see cref="MaxSingleRead"/> bytes: the tar reader reads headers 512 bytes at a time and skips file contents in
/// small pieces, but reads a PAX header or GNU long name whole, into a buffer of the size the archive declares — up
/// to 2 GiB for one entry of a hostile layer.
/// </summary>
internal sealed class BudgetStream(Stream inner, long budget) : ReadOnlyForwardingStream(inner)
{
    /// <summary>The largest read let through: far above any real PAX header (paths, 64 KiB extended attributes).</summary>
    public const int MaxSingleRead = 1 << 20;

    public long BytesRead { get; private set; }

    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer[..Allowance(buffer.Length)]));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer[..Allowance(buffer.Length)], cancellationToken));

    /// <summary>Reads at most one byte past the budget, so reaching it exactly is not mistaken for exceeding it.</summary>
    private int Allowance(int wanted)
    {
        if (wanted > MaxSingleRead)
        {
            throw new LayerEntryTooLargeException();
        }

        var left = budget + 1 - BytesRead;
        return (int)Math.Min(wanted, Math.Max(left, 0));
    }

    private int Count(int read)
    {
        BytesRead += read;
        if (BytesRead > budget)
        {
            throw new LayerBudgetExceededException();
        }

        return read;
    }
}
