using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem;

/// <summary>A second name for an existing file (<c>link(2)</c>), sharing its bytes: what backups of immutable blob files use.</summary>
public static partial class HardLink
{
    /// <summary>
    /// True when <paramref name="newPath"/> now names the file at <paramref name="existing"/>; false when the system cannot
    /// link them (another file system, a file system without hard links, or not Linux/macOS): then copy instead.
    /// </summary>
    public static bool TryCreate(string existing, string newPath) =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Link(existing, newPath) == 0;

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);
}
