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

/// <summary>
/// A direct child of a directory in a layer. <paramref name="Name"/> is the last component of <paramref name="Path"/>.
/// <paramref name="Implied"/>: a directory the archive does not list, only entries below it (then
/// <paramref name="Mode"/>, <paramref name="Uid"/>, <paramref name="Gid"/> and <paramref name="Modified"/> are null).
/// <paramref name="Descendants"/>: for a directory, how many entries of the archive lie below it; null otherwise.
/// </summary>
public sealed record LayerChild(
    string Path, string Name, LayerEntryType Type, long Size, string? Mode, int? Uid, int? Gid, DateTime? Modified, string? LinkTarget,
    bool Implied, long? Descendants);

/// <summary>One page of the direct children of a directory in a layer.</summary>
/// <param name="Path">The directory, normalised; empty for the layer's root.</param>
/// <param name="Total">How many direct children the directory has.</param>
/// <param name="Truncated">The listing stopped early at a limit (entries, bytes) or at a damaged archive.</param>
public sealed record LayerChildrenPage(string Digest, string Path, long Total, int Page, int PerPage, bool Truncated, IReadOnlyList<LayerChild> Entries);
