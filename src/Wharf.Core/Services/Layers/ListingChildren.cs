using System.Text;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// One entry of a listing's children section: an entry of the archive, or a directory the archive only implies
/// (it holds <c>a/b/c</c> but no <c>a/b/</c>), with the number of entries below it when it is a directory.
/// </summary>
internal readonly struct ListingChild(byte[] record, int nameStart, bool implied, long descendants)
{
    /// <summary>The entry's record (<see cref="ListingRecord"/>); an archive entry's is shared with the path-ordered section.</summary>
    public byte[] Record { get; } = record;

    /// <summary>Where the entry's name starts in its path; the parent is what comes before that slash.</summary>
    public int NameStart { get; } = nameStart;

    /// <summary>A directory the archive does not list, only entries below it.</summary>
    public bool Implied { get; } = implied;

    /// <summary>Entries below a directory (its subtree in the path-ordered section); -1 for other types.</summary>
    public long Descendants { get; } = descendants;

    public ReadOnlySpan<byte> Path => ListingRecord.Path(Record);

    public ReadOnlySpan<byte> Parent => NameStart == 0 ? [] : Path[..(NameStart - 1)];

    public ReadOnlySpan<byte> Name => Path[NameStart..];

    public bool IsDirectory => ListingRecord.Type(Record) == LayerEntryType.Dir;
}

/// <summary>
/// Builds the children section of a listing: every entry but the root, plus one directory for every ancestor path the
/// archive does not list as a directory, ordered by parent path, then directories before the rest, then name (all by
/// UTF-8 bytes; a path the archive repeats keeps archive order). The direct children of any directory are then one
/// contiguous run, found by binary search on the parent alone. Works on the records' bytes: nothing is decoded but
/// the paths of implied directories.
/// </summary>
internal static class ListingChildren
{
    /// <summary>The children section of <paramref name="records"/>, whose path order is <paramref name="order"/>.</summary>
    public static List<ListingChild> Build(List<byte[]> records, int[] order)
    {
        var children = new List<ListingChild>(order.Length + 16);
        var implied = new List<ListingChild>();
        for (var i = 0; i < order.Length; i++)
        {
            var record = records[order[i]];
            var path = ListingRecord.Path(record);
            if (path.SequenceEqual("."u8))
            {
                continue;
            }

            var lastSlash = path.LastIndexOf((byte)'/');
            var isDirectory = ListingRecord.Type(record) == LayerEntryType.Dir;
            children.Add(new ListingChild(record, lastSlash + 1, false, isDirectory ? Descendants(records, order, path) : -1));

            // Every path below an ancestor lies in one run of the path order, so an ancestor is new exactly when the
            // previous path is not below it; its own ancestors were then seen before too.
            ReadOnlySpan<byte> previous = i == 0 ? [] : ListingRecord.Path(records[order[i - 1]]);
            for (var slash = lastSlash; slash > 0; slash = path[..slash].LastIndexOf((byte)'/'))
            {
                var ancestor = path[..slash];
                if (previous.Length > slash && previous[slash] == (byte)'/' && previous.StartsWith(ancestor))
                {
                    break;
                }

                if (!ListsDirectory(records, order, ancestor))
                {
                    var directory = Encoding.UTF8.GetString(ancestor);
                    var directoryRecord = ListingRecord.Encode(LayerEntryType.Dir, (byte)'d', 0, 0, 0, 0, 0, directory, null);
                    implied.Add(new ListingChild(directoryRecord, ancestor.LastIndexOf((byte)'/') + 1, true, Descendants(records, order, ancestor)));
                }
            }
        }

        children.AddRange(implied);
        var sorted = Enumerable.Range(0, children.Count).ToArray();
        Array.Sort(sorted, (a, b) =>
        {
            var byKey = Compare(children[a], children[b]);
            return byKey != 0 ? byKey : a.CompareTo(b);
        });
        return [.. sorted.Select(i => children[i])];
    }

    /// <summary>The parent of a path in the children section's sense: everything before its last slash, empty at the top.</summary>
    public static ReadOnlySpan<byte> ParentOf(ReadOnlySpan<byte> path)
    {
        var slash = path.LastIndexOf((byte)'/');
        return slash < 0 ? [] : path[..slash];
    }

    /// <summary>The children section's order: parent, directories first, name.</summary>
    private static int Compare(in ListingChild a, in ListingChild b)
    {
        var byParent = a.Parent.SequenceCompareTo(b.Parent);
        if (byParent != 0)
        {
            return byParent;
        }

        var directoriesFirst = b.IsDirectory.CompareTo(a.IsDirectory);
        return directoriesFirst != 0 ? directoriesFirst : a.Name.SequenceCompareTo(b.Name);
    }

    /// <summary>Whether the archive has a directory entry at exactly <paramref name="path"/>.</summary>
    private static bool ListsDirectory(List<byte[]> records, int[] order, ReadOnlySpan<byte> path)
    {
        for (var i = LowerBound(records, order, path, []); i < order.Length && ListingRecord.Path(records[order[i]]).SequenceEqual(path); i++)
        {
            if (ListingRecord.Type(records[order[i]]) == LayerEntryType.Dir)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many entries lie below <paramref name="directory"/>: those in ["dir/", "dir0") of the path order.</summary>
    private static long Descendants(List<byte[]> records, int[] order, ReadOnlySpan<byte> directory) =>
        LowerBound(records, order, directory, "0"u8) - LowerBound(records, order, directory, "/"u8);

    /// <summary>The first position in the path order whose path is not below <paramref name="key"/> + <paramref name="suffix"/>.</summary>
    private static int LowerBound(List<byte[]> records, int[] order, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix)
    {
        int lo = 0, hi = order.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (CompareWithSuffix(ListingRecord.Path(records[order[mid]]), key, suffix) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Compares <paramref name="path"/> with the concatenation of <paramref name="key"/> and <paramref name="suffix"/>, allocating nothing.</summary>
    private static int CompareWithSuffix(ReadOnlySpan<byte> path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix)
    {
        // A path shorter than the key and equal to its start compares lower here already.
        var head = path[..Math.Min(path.Length, key.Length)].SequenceCompareTo(key);
        return head != 0 ? head : path[key.Length..].SequenceCompareTo(suffix);
    }
}
