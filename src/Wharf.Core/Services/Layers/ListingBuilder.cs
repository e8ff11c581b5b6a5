using System.Formats.Tar;
using ZstdSharp;

namespace Wharf.Core.Services.Layers;

/// <summary>Why a listing stopped before the end of the archive.</summary>
internal enum TruncationReason : byte
{
    None,
    Entries,
    UncompressedBytes,
    ListingBytes,
    DamagedArchive,
    EntryTooLarge,
}

/// <summary>The entries of one layer, in archive order, as encoded records.</summary>
internal sealed record ListingBuild(List<byte[]> Records, TruncationReason Truncation, long UncompressedBytes);

/// <summary>Reads a layer's tar stream (never more than a small buffer at a time) into encoded entry records.</summary>
internal static class ListingBuilder
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>The bytes of an implied directory's record beyond its path (fields, lengths, descendants).</summary>
    private const int ImpliedRecordOverhead = ListingRecord.PathLengthOffset + 8 + 9;

    /// <summary>
    /// Lists the archive in <paramref name="tar"/> (which it disposes) within the limits. Null when the stream is not a
    /// tar archive at all (its very first header is unreadable).
    /// </summary>
    public static async ValueTask<ListingBuild?> ReadAsync(Stream tar, long uncompressedBudget, LayerBrowserOptions options, CancellationToken cancellationToken)
    {
        var records = new List<byte[]>();
        var truncation = TruncationReason.None;
        long listingBytes = 0;
        byte[]? previous = null;
        await using var counted = new BudgetStream(tar, uncompressedBudget);
        await using var reader = new TarReader(counted, leaveOpen: true);
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }

                if (records.Count == options.MaxEntries)
                {
                    truncation = TruncationReason.Entries;
                    break;
                }

                var record = Encode(entry);
                listingBytes += record.Length + NewAncestorBytes(ListingRecord.Path(record), previous is null ? [] : ListingRecord.Path(previous));
                previous = record;
                if (listingBytes > options.MaxListingBytes)
                {
                    truncation = TruncationReason.ListingBytes;
                    break;
                }

                records.Add(record);
            }
        }
        catch (LayerBudgetExceededException)
        {
            truncation = TruncationReason.UncompressedBytes;
        }
        catch (LayerEntryTooLargeException) when (records.Count > 0)
        {
            truncation = TruncationReason.EntryTooLarge;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ZstdException or ArgumentException
            or OverflowException or NotSupportedException or LayerEntryTooLargeException
            or InvalidOperationException) // a PAX size field larger than any array: the tar reader throws this
        {
            // A damaged or cut-off archive: what was read so far is the listing. Nothing readable at all: not a tar.
            if (records.Count == 0)
            {
                return null;
            }

            truncation = TruncationReason.DamagedArchive;
        }

        return new ListingBuild(records, truncation, counted.BytesRead);
    }

    /// <summary>
    /// What the directories implied by <paramref name="path"/> may add to the children section: one record for each of
    /// its ancestors the previous entry did not share. Every ancestor the archive has is counted at least once this
    /// way (the first time it appears), so the sum bounds the implied directories' bytes; charging it to the listing
    /// budget keeps a deep path (<c>a/a/a/…</c>, each ancestor a record as long as its prefix) from growing the
    /// children section quadratically.
    /// </summary>
    private static long NewAncestorBytes(ReadOnlySpan<byte> path, ReadOnlySpan<byte> previous)
    {
        long bytes = 0;
        // An ancestor path[..slash] is the previous entry's too exactly when both agree up to and including that slash.
        var common = path.CommonPrefixLength(previous);
        for (var slash = path.IndexOf((byte)'/'); slash > 0; slash = path[(slash + 1)..].IndexOf((byte)'/') is var next and >= 0 ? slash + 1 + next : -1)
        {
            if (slash >= common)
            {
                bytes += ImpliedRecordOverhead + slash;
            }
        }

        return bytes;
    }

    private static byte[] Encode(TarEntry entry)
    {
        var name = entry.Name;
        var type = entry.EntryType;
        var isDirectory = type is TarEntryType.Directory or TarEntryType.DirectoryList
            || type is TarEntryType.V7RegularFile or TarEntryType.RegularFile && name.EndsWith('/');
        var path = Normalize(name);
        var baseName = path[(path.LastIndexOf('/') + 1)..];
        var kind = baseName == OpaqueMarker ? LayerEntryType.Opaque
            : baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal) ? LayerEntryType.Whiteout
            : isDirectory ? LayerEntryType.Dir
            : type switch
            {
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.SparseFile => LayerEntryType.File,
                TarEntryType.SymbolicLink => LayerEntryType.Symlink,
                TarEntryType.HardLink => LayerEntryType.Hardlink,
                _ => LayerEntryType.Other,
            };
        var link = type switch
        {
            TarEntryType.SymbolicLink => entry.LinkName,
            TarEntryType.HardLink => Normalize(entry.LinkName),
            _ => null,
        };
        return ListingRecord.Encode(kind, TypeLetter(type, isDirectory), (int)entry.Mode, entry.Length, entry.Uid, entry.Gid,
            entry.ModificationTime.ToUnixTimeSeconds(), path, link);
    }

    /// <summary>
    /// Strips leading <c>./</c> and <c>/</c> and a trailing <c>/</c>, and collapses repeated slashes (so every path
    /// has one parent and a non-empty name); the root itself becomes <c>.</c>.
    /// </summary>
    public static string Normalize(string name)
    {
        var path = name.AsSpan();
        while (true)
        {
            if (path.StartsWith("./"))
            {
                path = path[2..];
            }
            else if (path.StartsWith("/"))
            {
                path = path[1..];
            }
            else
            {
                break;
            }
        }

        path = path.TrimEnd('/');
        if (path.Length == 0 || path is ".")
        {
            return ".";
        }

        var text = path.ToString();
        while (text.Contains("//", StringComparison.Ordinal))
        {
            text = text.Replace("//", "/", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The first letter of the mode as <c>tar -tv</c> prints it.</summary>
    private static byte TypeLetter(TarEntryType type, bool isDirectory) => isDirectory ? (byte)'d' : type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => (byte)'-',
        TarEntryType.HardLink => (byte)'h',
        TarEntryType.SymbolicLink => (byte)'l',
        TarEntryType.CharacterDevice => (byte)'c',
        TarEntryType.BlockDevice => (byte)'b',
        TarEntryType.Fifo => (byte)'p',
        TarEntryType.ContiguousFile => (byte)'C',
        TarEntryType.SparseFile => (byte)'S',
        _ => (byte)'?',
    };
}
