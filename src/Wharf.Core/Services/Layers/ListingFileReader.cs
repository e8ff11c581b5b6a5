using System.Buffers.Binary;
using System.Text;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// Reads pages from a cached listing file without loading it: the header and block index, then only the block(s) a
/// page or a directory boundary lies in. Seeks when the storage stream can, else re-opens at the offset (a ranged
/// GET on S3). Listing files are never modified once in place (a concurrent rebuild replaces one with identical
/// bytes), so re-opening mid-read is safe.
/// </summary>
internal sealed class ListingFileReader : IAsyncDisposable
{
    private const int ReadBuffer = 64 * 1024;
    private readonly IStorageDriver _storage;
    private readonly string _path;
    private readonly List<(long Offset, byte[] FirstPath)> _blocks;
    private Stream _stream;
    private long _position;

    private ListingFileReader(IStorageDriver storage, string path, Stream stream, long position, ListingHeader header, List<(long, byte[])> blocks)
    {
        _storage = storage;
        _path = path;
        _stream = stream;
        _position = position;
        Header = header;
        _blocks = blocks;
    }

    public ListingHeader Header { get; }

    /// <summary>Opens the listing at <paramref name="path"/>; null when there is none or it is not a listing of this format.</summary>
    public static async ValueTask<ListingFileReader?> OpenAsync(IStorageDriver storage, string path, CancellationToken cancellationToken)
    {
        var raw = await storage.OpenReadAsync(path, 0, cancellationToken);
        if (raw is null)
        {
            return null;
        }

        var stream = new BufferedStream(raw, ReadBuffer);

        try
        {
            var headerBytes = new byte[ListingFile.HeaderSize];
            if (await ReadFullyAsync(stream, headerBytes, cancellationToken) < headerBytes.Length || ListingFile.ReadHeader(headerBytes) is not { } header)
            {
                await stream.DisposeAsync();
                return null;
            }

            var index = new byte[header.IndexBytes];
            if (await ReadFullyAsync(stream, index, cancellationToken) < index.Length)
            {
                await stream.DisposeAsync();
                return null;
            }

            var blocks = new List<(long, byte[])>(header.Blocks);
            var at = 0;
            for (var i = 0; i < header.Blocks; i++)
            {
                var offset = BinaryPrimitives.ReadInt64LittleEndian(index.AsSpan(at));
                var length = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(at + 8));
                blocks.Add((offset, index.AsSpan(at + 12, length).ToArray()));
                at += 12 + length;
            }

            return new ListingFileReader(storage, path, stream, header.RecordsStart, header, blocks);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The range [start, end) of entry indexes under directory <paramref name="prefix"/> (a normalised path; every
    /// entry below it, not the directory itself), or all entries when it is null.
    /// </summary>
    public async ValueTask<(long Start, long End)> RangeAsync(string? prefix, CancellationToken cancellationToken)
    {
        if (prefix is null)
        {
            return (0, Header.Entries);
        }

        // Everything below "a/b" sorts in ["a/b/", "a/b0"): '0' is the byte after '/'.
        var start = await LowerBoundAsync(Encoding.UTF8.GetBytes(prefix + "/"), cancellationToken);
        var end = await LowerBoundAsync(Encoding.UTF8.GetBytes(prefix + "0"), cancellationToken);
        return (start, Math.Max(start, end));
    }

    /// <summary>Entries [<paramref name="start"/>, <paramref name="end"/>), in path order.</summary>
    public async ValueTask<List<LayerEntry>> ReadAsync(long start, long end, CancellationToken cancellationToken)
    {
        var entries = new List<LayerEntry>((int)Math.Max(0, Math.Min(end - start, 10_000)));
        if (start >= end)
        {
            return entries;
        }

        var block = (int)(start / Header.BlockSize);
        await SeekAsync(Header.RecordsStart + _blocks[block].Offset, cancellationToken);
        var buffer = new byte[4096];
        for (var i = (long)block * Header.BlockSize; i < end; i++)
        {
            var body = await NextRecordAsync(buffer, cancellationToken);
            buffer = body.Buffer;
            if (i >= start)
            {
                entries.Add(ListingRecord.Decode(buffer.AsSpan(0, body.Length)));
            }
        }

        return entries;
    }

    /// <summary>The index of the first entry whose path is not below <paramref name="key"/> in byte order.</summary>
    private async ValueTask<long> LowerBoundAsync(byte[] key, CancellationToken cancellationToken)
    {
        // The last block whose first path sorts before the key holds the boundary (or it lies right after that block).
        int lo = 0, hi = _blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_blocks[mid].FirstPath.AsSpan().SequenceCompareTo(key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo == 0)
        {
            return 0;
        }

        var block = lo - 1;
        var first = (long)block * Header.BlockSize;
        var last = Math.Min(first + Header.BlockSize, Header.Entries);
        await SeekAsync(Header.RecordsStart + _blocks[block].Offset, cancellationToken);
        var buffer = new byte[4096];
        for (var i = first; i < last; i++)
        {
            var body = await NextRecordAsync(buffer, cancellationToken);
            buffer = body.Buffer;
            if (ListingRecord.BodyPath(buffer.AsSpan(0, body.Length)).SequenceCompareTo(key) >= 0)
            {
                return i;
            }
        }

        return last;
    }

    /// <summary>Reads the next record's body into <paramref name="buffer"/>, or into a larger one it returns.</summary>
    private async ValueTask<(byte[] Buffer, int Length)> NextRecordAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var prefix = new byte[4];
        await ReadExactlyAsync(prefix, cancellationToken);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 36 || length > 64 * 1024 * 1024)
        {
            throw new InvalidDataException($"damaged layer listing {_path}: record of {length} bytes");
        }

        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        await ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
        return (buffer, length);
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> into, CancellationToken cancellationToken)
    {
        if (await ReadFullyAsync(_stream, into, cancellationToken) < into.Length)
        {
            throw new InvalidDataException($"damaged layer listing {_path}: ends early");
        }

        _position += into.Length;
    }

    private async ValueTask SeekAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset == _position)
        {
            return;
        }

        if (_stream.CanSeek)
        {
            _stream.Seek(offset, SeekOrigin.Begin);
        }
        else
        {
            await _stream.DisposeAsync();
            var raw = await _storage.OpenReadAsync(_path, offset, cancellationToken)
                ?? throw new InvalidDataException($"layer listing {_path} vanished while being read");
            _stream = new BufferedStream(raw, ReadBuffer);
        }

        _position = offset;
    }

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> into, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < into.Length)
        {
            var read = await stream.ReadAsync(into[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
