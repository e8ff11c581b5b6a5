using System.Buffers.Binary;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// The cached listing of one layer, one immutable object in storage:
/// <code>
/// header, 64 bytes    "WHARFLS1", i64 entries, i32 block size, i32 blocks, i64 block index bytes,
///                     i64 uncompressed bytes read, u8 truncation reason, zero padding
/// block index         per block of BlockSize entries: i64 offset of its first record (from the first record),
///                     i32 path length, the first record's path (UTF-8)
/// records             every entry (<see cref="ListingRecord"/>), sorted by path bytes
/// </code>
/// A page is found without reading the whole listing: the header and block index (about 40 bytes per 256 entries)
/// come first, then one seek (or one ranged GET on S3) lands on the block holding the page's first entry.
/// </summary>
internal static class ListingFile
{
    public const int BlockSize = 256;
    public const int HeaderSize = 64;
    private static ReadOnlySpan<byte> Magic => "WHARFLS1"u8;

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

        using var index = new MemoryStream();
        long offset = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var record = records[order[i]];
            if (i % BlockSize == 0)
            {
                var path = ListingRecord.Path(record);
                var slot = new byte[12];
                BinaryPrimitives.WriteInt64LittleEndian(slot, offset);
                BinaryPrimitives.WriteInt32LittleEndian(slot.AsSpan(8), path.Length);
                index.Write(slot);
                index.Write(path);
            }

            offset += record.Length;
        }

        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), records.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), (records.Count + BlockSize - 1) / BlockSize);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), index.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), build.UncompressedBytes);
        header[40] = (byte)build.Truncation;

        var buffer = new BufferedWriter(writer, 256 * 1024);
        await buffer.WriteAsync(header, cancellationToken);
        await buffer.WriteAsync(index.GetBuffer().AsMemory(0, (int)index.Length), cancellationToken);
        foreach (var i in order)
        {
            await buffer.WriteAsync(records[i], cancellationToken);
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
        if (entries < 0 || blockSize <= 0 || blocks < 0 || indexBytes < 0 || indexBytes > int.MaxValue
            || blocks != (entries + blockSize - 1) / blockSize)
        {
            return null;
        }

        return new ListingHeader(entries, blockSize, blocks, (int)indexBytes, (TruncationReason)header[40]);
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
internal sealed record ListingHeader(long Entries, int BlockSize, int Blocks, int IndexBytes, TruncationReason Truncation)
{
    public long RecordsStart => ListingFile.HeaderSize + IndexBytes;
}
