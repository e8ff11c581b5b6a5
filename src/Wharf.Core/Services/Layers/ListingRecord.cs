using System.Buffers.Binary;
using System.Text;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// One entry as stored in a listing file (little-endian):
/// <code>
/// i32 length of what follows
/// u8  LayerEntryType      u8 tar type flag (for the mode's first letter)     u16 permission bits (with setuid, setgid, sticky)
/// i64 size                i32 uid          i32 gid          i64 modified (Unix seconds)
/// i32 path length         path (UTF-8)
/// i32 link length (-1: none)               link (UTF-8)
/// </code>
/// Records sort by the path's UTF-8 bytes, so every entry under a directory is one contiguous run.
/// </summary>
internal static class ListingRecord
{
    public const int PathLengthOffset = 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8;
    private const int PathOffset = PathLengthOffset + 4;

    public static byte[] Encode(LayerEntryType type, byte typeFlag, int mode, long size, int uid, int gid, long modified, string path, string? link)
    {
        var pathLength = Encoding.UTF8.GetByteCount(path);
        var linkLength = link is null ? 0 : Encoding.UTF8.GetByteCount(link);
        var record = new byte[PathOffset + pathLength + 4 + linkLength];
        var span = record.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, record.Length - 4);
        span[4] = (byte)type;
        span[5] = typeFlag;
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)(mode & 0xFFF));
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], size);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], uid);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], gid);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], modified);
        BinaryPrimitives.WriteInt32LittleEndian(span[PathLengthOffset..], pathLength);
        Encoding.UTF8.GetBytes(path, span[PathOffset..]);
        var linkAt = PathOffset + pathLength;
        BinaryPrimitives.WriteInt32LittleEndian(span[linkAt..], link is null ? -1 : linkLength);
        if (link is not null)
        {
            Encoding.UTF8.GetBytes(link, span[(linkAt + 4)..]);
        }

        return record;
    }

    /// <summary>The entry type of a whole record (length prefix included).</summary>
    public static LayerEntryType Type(ReadOnlySpan<byte> record) => (LayerEntryType)record[4];

    /// <summary>The path bytes of a whole record (length prefix included).</summary>
    public static ReadOnlySpan<byte> Path(ReadOnlySpan<byte> record) =>
        record.Slice(PathOffset, BinaryPrimitives.ReadInt32LittleEndian(record[PathLengthOffset..]));

    /// <summary>Decodes the body of a record (without its length prefix).</summary>
    public static LayerEntry Decode(ReadOnlySpan<byte> body)
    {
        var type = (LayerEntryType)body[0];
        var typeFlag = body[1];
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        var size = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        var uid = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        var gid = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
        var modified = BinaryPrimitives.ReadInt64LittleEndian(body[20..]);
        var pathLength = BinaryPrimitives.ReadInt32LittleEndian(body[28..]);
        var path = Encoding.UTF8.GetString(body.Slice(32, pathLength));
        var linkLength = BinaryPrimitives.ReadInt32LittleEndian(body[(32 + pathLength)..]);
        var link = linkLength < 0 ? null : Encoding.UTF8.GetString(body.Slice(36 + pathLength, linkLength));
        var time = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(modified, -62135596800L, 253402300799L)).UtcDateTime;
        return new LayerEntry(path, type, size, ModeText(typeFlag, mode), uid, gid, time, link);
    }

    /// <summary>The body's path bytes (records read back from a file come without their length prefix).</summary>
    public static ReadOnlySpan<byte> BodyPath(ReadOnlySpan<byte> body) =>
        body.Slice(32, BinaryPrimitives.ReadInt32LittleEndian(body[28..]));

    /// <summary><c>ls -l</c> / <c>tar -tv</c> style: a type letter, then rwx triplets with s/S and t/T.</summary>
    public static string ModeText(byte typeFlag, int mode)
    {
        Span<char> text = stackalloc char[10];
        text[0] = (char)typeFlag;
        Triplet(text[1..], mode >> 6, (mode & 0x800) != 0, 's');
        Triplet(text[4..], mode >> 3, (mode & 0x400) != 0, 's');
        Triplet(text[7..], mode, (mode & 0x200) != 0, 't');
        return new string(text);

        static void Triplet(Span<char> into, int bits, bool special, char specialLetter)
        {
            into[0] = (bits & 4) != 0 ? 'r' : '-';
            into[1] = (bits & 2) != 0 ? 'w' : '-';
            var execute = (bits & 1) != 0;
            into[2] = special ? (execute ? specialLetter : char.ToUpperInvariant(specialLetter)) : execute ? 'x' : '-';
        }
    }
}
