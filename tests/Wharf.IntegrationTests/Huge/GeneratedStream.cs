using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Wharf.IntegrationTests.Huge;

/// <summary>
/// <paramref name="length"/> deterministic bytes, produced as they are read and never held in memory: one random MiB per
/// seed, repeated with each repetition's index stamped into its first 8 bytes (so no two MiB are equal). Bytes read are
/// also fed to <paramref name="hash"/> when given, so a push can compute its digest as it streams.
/// </summary>
internal sealed class GeneratedStream(long length, int seed, long start = 0, IncrementalHash? hash = null) : Stream
{
    private const int Block = 1024 * 1024;
    private readonly byte[] _pattern = Pattern(seed);
    private readonly byte[] _current = new byte[Block];
    private readonly long _start = start;
    private long _position = start;
    private long _currentIndex = -1;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length - _start;

    public override long Position
    {
        get => _position - _start;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < length)
        {
            var index = _position / Block;
            if (index != _currentIndex)
            {
                _pattern.CopyTo(_current, 0);
                BinaryPrimitives.WriteInt64LittleEndian(_current, index ^ BinaryPrimitives.ReadInt64LittleEndian(_pattern));
                _currentIndex = index;
            }

            var within = (int)(_position % Block);
            var n = (int)Math.Min(Math.Min(buffer.Length, Block - within), length - _position);
            var chunk = _current.AsSpan(within, n);
            chunk.CopyTo(buffer);
            hash?.AppendData(chunk);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static byte[] Pattern(int seed)
    {
        var pattern = new byte[Block];
        new Random(seed).NextBytes(pattern);
        return pattern;
    }
}
