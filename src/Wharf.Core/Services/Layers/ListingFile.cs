using System.Buffers.Binary;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// The cached listing of one layer, one immutable object in storage:
/// <code>
/// header, 96 bytes    "WHARFLS2", i64 entries, i32 block size, i32 blocks, i64 block index bytes,
///                     i64 uncompressed bytes read, u8 truncation reason, (pad to 48) i64 children, i32 child blocks,
///                     i32 zero, i64 child block index bytes, i64 record bytes, zero padding
/// block index         per block of BlockSize entries: i64 offset of its first record (from the first record),
///                     i32 path length, the first record's path (UTF-8)
/// child block index   the same for the children section (offsets from the first child record)
/// records             every entry (<see cref="ListingRecord"/>), sorted by path bytes
/// child records       the children section (<see cref="ListingChildren"/>): every entry but the root and every
///                     directory the archive only implies, ordered by parent, directories first, name; each a
///                     record whose length counts a tail of i64 entries below (-1: not a directory), u8 implied
/// </code>
/// A page is found without reading the whole listing: the header and block indexes (about 40 bytes per 256 entries
/// each) come first, then one seek (or one ranged GET on S3) lands on the block holding the page's first entry.
/// </summary>
internal static class ListingFile
{
    /// <summary>The format version, part of the cache key: a listing of another version is never read.</summary>
    public const int Version = 2;
    public const int BlockSize = 256;
    public const int HeaderSize = 96;

    /// <summary>The bytes a child record carries after its entry: i64 entries below, u8 implied.</summary>
    public const int ChildTailSize = 9;
    private static ReadOnlySpan<byte> Magic => "WHARFLS2"u8;

    /// <summary>Sorts the records by path (stable: a path repeated in the archive keeps archive order) and writes the file.</summary>
    public static async ValueTask WriteAsync(IStorageWriter writer, ListingBuild build, CancellationToken cancellationToken)
    {
        var records = build.Records;
        var order = Enumerable.Range(0, records.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var byPath = ListingRecord.Path(records[a]).SequenceCompareTo(ListingRecord.Path(records[b]));
            return byPath != 0 ? byPath : a.CompareTo(b);
        });
        var children = ListingChildren.Build(records, order);

        using var index = new MemoryStream();
        long recordBytes = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var record = records[order[i]];
            if (i % BlockSize == 0)
            {
                WriteBlock(index, recordBytes, ListingRecord.Path(record));
            }

            recordBytes += record.Length;
        }

        using var childIndex = new MemoryStream();
        long childBytes = 0;
        for (var i = 0; i < children.Count; i++)
        {
            if (i % BlockSize == 0)
            {
                WriteBlock(childIndex, childBytes, children[i].Path);
            }

            childBytes += children[i].Record.Length + ChildTailSize;
        }

        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), records.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), Blocks(records.Count));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), index.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), build.UncompressedBytes);
        header[40] = (byte)build.Truncation;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48), children.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(56), Blocks(children.Count));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64), childIndex.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(72), recordBytes);

        var buffer = new BufferedWriter(writer, 256 * 1024);
        await buffer.WriteAsync(header, cancellationToken);
        await buffer.WriteAsync(index.GetBuffer().AsMemory(0, (int)index.Length), cancellationToken);
        await buffer.WriteAsync(childIndex.GetBuffer().AsMemory(0, (int)childIndex.Length), cancellationToken);
        foreach (var i in order)
        {
            await buffer.WriteAsync(records[i], cancellationToken);
        }

        var prefix = new byte[4];
        var tail = new byte[ChildTailSize];
        foreach (var child in children)
        {
            // The entry's record with a longer length prefix and the tail: written in pieces, never copied whole.
            BinaryPrimitives.WriteInt32LittleEndian(prefix, child.Record.Length - 4 + ChildTailSize);
            BinaryPrimitives.WriteInt64LittleEndian(tail, child.Descendants);
            tail[8] = child.Implied ? (byte)1 : (byte)0;
            await buffer.WriteAsync(prefix, cancellationToken);
            await buffer.WriteAsync(child.Record.AsMemory(4), cancellationToken);
            await buffer.WriteAsync(tail, cancellationToken);
        }

        await buffer.FlushAsync(cancellationToken);
    }

    /// <summary>Parses a header; null when the bytes are not a listing of this format.</summary>
    public static ListingHeader? ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            return null;
        }

        var entries = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var blockSize = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        var blocks = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        var indexBytes = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        var children = BinaryPrimitives.ReadInt64LittleEndian(header[48..]);
        var childBlocks = BinaryPrimitives.ReadInt32LittleEndian(header[56..]);
        var childIndexBytes = BinaryPrimitives.ReadInt64LittleEndian(header[64..]);
        var recordBytes = BinaryPrimitives.ReadInt64LittleEndian(header[72..]);
        if (entries < 0 || blockSize <= 0 || blocks < 0 || indexBytes < 0 || indexBytes > int.MaxValue
            || blocks != (entries + blockSize - 1) / blockSize
            || children < 0 || childBlocks < 0 || childIndexBytes < 0 || childIndexBytes > int.MaxValue
            || childBlocks != (children + blockSize - 1) / blockSize || recordBytes < 0)
        {
            return null;
        }

        return new ListingHeader(entries, blockSize, blocks, (int)indexBytes, (TruncationReason)header[40], children, childBlocks, (int)childIndexBytes, recordBytes);
    }

    private static int Blocks(int count) => (count + BlockSize - 1) / BlockSize;

    private static void WriteBlock(MemoryStream index, long offset, ReadOnlySpan<byte> firstPath)
    {
        Span<byte> slot = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(slot, offset);
        BinaryPrimitives.WriteInt32LittleEndian(slot[8..], firstPath.Length);
        index.Write(slot);
        index.Write(firstPath);
    }

    /// <summary>Coalesces small writes into large ones before they reach the storage writer.</summary>
    private sealed class BufferedWriter(IStorageWriter writer, int capacity)
    {
        private readonly byte[] _buffer = new byte[capacity];
        private int _length;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            while (!data.IsEmpty)
            {
                var n = Math.Min(data.Length, _buffer.Length - _length);
                data[..n].CopyTo(_buffer.AsMemory(_length));
                _length += n;
                data = data[n..];
                if (_length == _buffer.Length)
                {
                    await FlushAsync(cancellationToken);
                }
            }
        }

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_length > 0)
            {
                await writer.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
                _length = 0;
            }
        }
    }
}

/// <summary>What a listing file's header says.</summary>
internal sealed record ListingHeader(
    long Entries, int BlockSize, int Blocks, int IndexBytes, TruncationReason Truncation,
    long Children, int ChildBlocks, int ChildIndexBytes, long RecordBytes)
{
    public long RecordsStart => ListingFile.HeaderSize + IndexBytes + ChildIndexBytes;

    public long ChildRecordsStart => RecordsStart + RecordBytes;
}
