using System.IO.Compression;
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
        var length = 0;
        int read;
        while (length < head.Length && (read = await blob.ReadAsync(head.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

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
internal sealed class ReplayStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
{
    private ReadOnlyMemory<byte> _head = head;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_head.IsEmpty)
        {
            return rest.Read(buffer);
        }

        var n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer);
        _head = _head[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_head.IsEmpty)
        {
            return rest.ReadAsync(buffer, cancellationToken);
        }

        var n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer.Span);
        _head = _head[n..];
        return ValueTask.FromResult(n);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rest.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await rest.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Thrown by <see cref="BudgetStream"/> when a layer expands past its budget.</summary>
internal sealed class LayerBudgetExceededException() : IOException("the layer expands past the uncompressed-byte budget");

/// <summary>Counts the bytes read through it and throws <see cref="LayerBudgetExceededException"/> past <paramref name="budget"/>.</summary>
internal sealed class BudgetStream(Stream inner, long budget) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, Math.Min(count, Allowance(count))));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Allowance(buffer.Length)], cancellationToken));

    /// <summary>Reads at most one byte past the budget, so reaching it exactly is not mistaken for exceeding it.</summary>
    private int Allowance(int wanted)
    {
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

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
