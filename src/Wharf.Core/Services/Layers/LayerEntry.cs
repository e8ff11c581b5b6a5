namespace Wharf.Core.Services.Layers;

/// <summary>What a layer entry is, as the file browser shows it.</summary>
public enum LayerEntryType : byte
{
    File,
    Dir,
    Symlink,
    Hardlink,

    /// <summary>A <c>.wh.&lt;name&gt;</c> marker: <c>&lt;name&gt;</c> is deleted from the layers below.</summary>
    Whiteout,

    /// <summary>A <c>.wh..wh..opq</c> marker: the directory's contents from the layers below are hidden.</summary>
    Opaque,

    /// <summary>Devices, FIFOs and anything else.</summary>
    Other,
}

/// <summary>
/// One entry of a layer's tar archive. <paramref name="Path"/> is normalised: no leading <c>./</c> or <c>/</c>, no
/// trailing <c>/</c>; the archive's root directory is <c>.</c>. <paramref name="Mode"/> reads like <c>tar -tv</c>
/// (<c>-rwxr-xr-x</c>, <c>drwxr-xr-x</c>, <c>lrwxrwxrwx</c>, <c>h…</c> for a hard link). <paramref name="LinkTarget"/> is a
/// symlink's target as stored, or a hard link's normalised target path; null otherwise.
/// </summary>
public sealed record LayerEntry(string Path, LayerEntryType Type, long Size, string Mode, int Uid, int Gid, DateTime Modified, string? LinkTarget);

/// <summary>One page of a layer listing.</summary>
/// <param name="Total">Entries in the whole listing, or under the requested directory.</param>
/// <param name="Truncated">The listing stopped early at a limit (entries, bytes) or at a damaged archive.</param>
public sealed record LayerListingPage(string Digest, long Total, int Page, int PerPage, bool Truncated, IReadOnlyList<LayerEntry> Entries);
