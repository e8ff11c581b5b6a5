namespace Wharf.Client;

/// <summary>
/// The next <c>length</c> bytes of a stream, read through without buffering: one chunk's request body. It does not
/// dispose the stream beneath, which the next chunk goes on reading.
/// </summary>
internal sealed class ChunkStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _left = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _left;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _left == 0 ? 0 : inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        return Advance(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _left == 0 ? 0 : await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Advance(int read)
    {
        if (read == 0 && _left > 0)
        {
            throw new EndOfStreamException($"the content ended {_left} bytes short of its announced size");
        }

        _left -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
