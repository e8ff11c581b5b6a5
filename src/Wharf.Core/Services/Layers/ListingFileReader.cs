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
    private readonly Section _entries;
    private readonly Section _children;
    private Stream _stream;
    private long _position;

    private ListingFileReader(IStorageDriver storage, string path, Stream stream, long position, ListingHeader header, Section entries, Section children)
    {
        _storage = storage;
        _path = path;
        _stream = stream;
        _position = position;
        Header = header;
        _entries = entries;
        _children = children;
    }

    /// <summary>Decodes one record body (without its length prefix).</summary>
    private delegate T BodyDecoder<out T>(ReadOnlySpan<byte> body);

    /// <summary>Whether a record's path sorts before a boundary being searched for.</summary>
    private delegate bool SortsBefore(ReadOnlySpan<byte> path);

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
            if (await stream.ReadAtLeastAsync(headerBytes, headerBytes.Length, throwOnEndOfStream: false, cancellationToken) < headerBytes.Length || ListingFile.ReadHeader(headerBytes) is not { } header)
            {
                await stream.DisposeAsync();
                return null;
            }

            var index = new byte[header.IndexBytes];
            var childIndex = new byte[header.ChildIndexBytes];
            if (await stream.ReadAtLeastAsync(index, index.Length, throwOnEndOfStream: false, cancellationToken) < index.Length
                || await stream.ReadAtLeastAsync(childIndex, childIndex.Length, throwOnEndOfStream: false, cancellationToken) < childIndex.Length)
            {
                await stream.DisposeAsync();
                return null;
            }

            var entries = new Section(header.RecordsStart, header.Entries, header.BlockSize, Blocks(index, header.Blocks, path));
            var children = new Section(header.ChildRecordsStart, header.Children, header.BlockSize, Blocks(childIndex, header.ChildBlocks, path));
            return new ListingFileReader(storage, path, stream, header.RecordsStart, header, entries, children);
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
        var low = Encoding.UTF8.GetBytes(prefix + "/");
        var high = Encoding.UTF8.GetBytes(prefix + "0");
        var start = await LowerBoundAsync(_entries, path => path.SequenceCompareTo(low) < 0, cancellationToken);
        var end = await LowerBoundAsync(_entries, path => path.SequenceCompareTo(high) < 0, cancellationToken);
        return (start, Math.Max(start, end));
    }

    /// <summary>
    /// The range [start, end) of the children section holding the direct children of <paramref name="directory"/>
    /// (a normalised path, or null for the root).
    /// </summary>
    public async ValueTask<(long Start, long End)> ChildRangeAsync(string? directory, CancellationToken cancellationToken)
    {
        var parent = Encoding.UTF8.GetBytes(directory ?? "");
        var start = await LowerBoundAsync(_children, path => ListingChildren.ParentOf(path).SequenceCompareTo(parent) < 0, cancellationToken);
        var end = await LowerBoundAsync(_children, path => ListingChildren.ParentOf(path).SequenceCompareTo(parent) <= 0, cancellationToken);
        return (start, Math.Max(start, end));
    }

    /// <summary>Entries [<paramref name="start"/>, <paramref name="end"/>), in path order.</summary>
    public ValueTask<List<LayerEntry>> ReadAsync(long start, long end, CancellationToken cancellationToken) =>
        ReadAsync(_entries, start, end, ListingRecord.Decode, cancellationToken);

    /// <summary>Children [<paramref name="start"/>, <paramref name="end"/>) of the children section, in its order.</summary>
    public ValueTask<List<LayerChild>> ReadChildrenAsync(long start, long end, CancellationToken cancellationToken) =>
        ReadAsync(_children, start, end, DecodeChild, cancellationToken);

    private static LayerChild DecodeChild(ReadOnlySpan<byte> body)
    {
        if (body.Length < 32 + ListingFile.ChildTailSize)
        {
            throw new InvalidDataException("damaged layer listing: child record too short");
        }

        var entry = ListingRecord.Decode(body[..^ListingFile.ChildTailSize]);
        var descendants = BinaryPrimitives.ReadInt64LittleEndian(body[^ListingFile.ChildTailSize..]);
        var implied = body[^1] != 0;
        var name = entry.Path[(entry.Path.LastIndexOf('/') + 1)..];
        return implied
            ? new LayerChild(entry.Path, name, LayerEntryType.Dir, 0, null, null, null, null, null, true, descendants)
            : new LayerChild(entry.Path, name, entry.Type, entry.Size, entry.Mode, entry.Uid, entry.Gid, entry.Modified, entry.LinkTarget, false,
                descendants < 0 ? null : descendants);
    }

    private async ValueTask<List<T>> ReadAsync<T>(Section section, long start, long end, BodyDecoder<T> decode, CancellationToken cancellationToken)
    {
        var items = new List<T>((int)Math.Max(0, Math.Min(end - start, 10_000)));
        if (start >= end)
        {
            return items;
        }

        var block = (int)(start / section.BlockSize);
        await SeekAsync(section.Start + section.Blocks[block].Offset, cancellationToken);
        var buffer = new byte[4096];
        for (var i = (long)block * section.BlockSize; i < end; i++)
        {
            var body = await NextRecordAsync(buffer, cancellationToken);
            buffer = body.Buffer;
            if (i >= start)
            {
                items.Add(decode(buffer.AsSpan(0, body.Length)));
            }
        }

        return items;
    }

    /// <summary>
    /// The index of the first record of <paramref name="section"/> that does not sort <paramref name="before"/> the
    /// boundary (the section is ordered so that <paramref name="before"/> holds for a prefix of it).
    /// </summary>
    private async ValueTask<long> LowerBoundAsync(Section section, SortsBefore before, CancellationToken cancellationToken)
    {
        // The last block whose first path sorts before the boundary holds it (or it lies right after that block).
        int lo = 0, hi = section.Blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (before(section.Blocks[mid].FirstPath))
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
        var first = (long)block * section.BlockSize;
        var last = Math.Min(first + section.BlockSize, section.Count);
        await SeekAsync(section.Start + section.Blocks[block].Offset, cancellationToken);
        var buffer = new byte[4096];
        for (var i = first; i < last; i++)
        {
            var body = await NextRecordAsync(buffer, cancellationToken);
            buffer = body.Buffer;
            if (!before(ListingRecord.BodyPath(buffer.AsSpan(0, body.Length))))
            {
                return i;
            }
        }

        return last;
    }

    private static List<(long Offset, byte[] FirstPath)> Blocks(byte[] index, int count, string path)
    {
        var blocks = new List<(long, byte[])>(count);
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (at + 12 > index.Length)
            {
                throw new InvalidDataException($"damaged layer listing {path}: block index ends early");
            }

            var offset = BinaryPrimitives.ReadInt64LittleEndian(index.AsSpan(at));
            var length = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(at + 8));
            if (length < 0 || at + 12 + length > index.Length)
            {
                throw new InvalidDataException($"damaged layer listing {path}: block index ends early");
            }

            blocks.Add((offset, index.AsSpan(at + 12, length).ToArray()));
            at += 12 + length;
        }

        return blocks;
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
        if (await _stream.ReadAtLeastAsync(into, into.Length, throwOnEndOfStream: false, cancellationToken) < into.Length)
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

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    /// <summary>One ordered run of records and its block index.</summary>
    private sealed record Section(long Start, long Count, int BlockSize, List<(long Offset, byte[] FirstPath)> Blocks);
}
