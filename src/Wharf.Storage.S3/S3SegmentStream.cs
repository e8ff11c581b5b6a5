namespace Wharf.Storage.S3;

/// <summary>
/// The bytes of a segment list from an offset: each segment's data object is read in turn, with one ranged GET opened
/// when the stream reaches it. A segment that is gone or ends early midway (the object was rewritten and its data
/// released meanwhile) fails the read with an <see cref="IOException"/>: a reader never gets a short object.
/// </summary>
internal sealed class S3SegmentStream : Stream
{
    private readonly S3Driver _driver;
    private readonly IReadOnlyList<S3Segment> _segments;
    private int _index;
    private long _position;
    private Stream? _current;

    private S3SegmentStream(S3Driver driver, IReadOnlyList<S3Segment> segments, int index, long position, Stream? current)
    {
        _driver = driver;
        _segments = segments;
        _index = index;
        _position = position;
        _current = current;
    }

    /// <summary>Opens the list at <paramref name="offset"/> (at most its size); null if the first segment read is gone.</summary>
    public static async Task<Stream?> OpenAsync(S3Driver driver, IReadOnlyList<S3Segment> segments, long offset, CancellationToken cancellationToken)
    {
        var index = 0;
        while (index < segments.Count && offset >= segments[index].Length)
        {
            offset -= segments[index].Length;
            index++;
        }

        if (index == segments.Count)
        {
            return new S3SegmentStream(driver, segments, index, 0, null);
        }

        var first = await driver.OpenDataRangeAsync(segments[index].Data, offset, segments[index].Length - 1, cancellationToken);
        return first is null ? null : new S3SegmentStream(driver, segments, index, offset, first);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_index < _segments.Count && !buffer.IsEmpty)
        {
            var segment = _segments[_index];
            if (_position == segment.Length)
            {
                if (_current is not null)
                {
                    await _current.DisposeAsync();
                    _current = null;
                }

                _index++;
                _position = 0;
                continue;
            }

            _current ??= await _driver.OpenDataRangeAsync(segment.Data, _position, segment.Length - 1, cancellationToken)
                ?? throw new IOException($"the data object '{segment.Data}' of a segment list is gone (the object was rewritten while it was read)");
            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, segment.Length - _position)], cancellationToken);
            if (read == 0)
            {
                throw new IOException($"the data object '{segment.Data}' ended after {_position} of {segment.Length} bytes");
            }

            _position += read;
            return read;
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

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
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }
}
