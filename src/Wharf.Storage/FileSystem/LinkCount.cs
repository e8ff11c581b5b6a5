using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Wharf.Storage.FileSystem;

/// <summary>How many names an open file has (<c>statx(2)</c>'s <c>stx_nlink</c>; Linux only, 1 elsewhere).</summary>
internal static partial class LinkCount
{
    private const int EmptyPath = 0x1000;  // AT_EMPTY_PATH: the file descriptor itself
    private const uint LinkCountMask = 0x4; // STATX_NLINK
    private const int StatxSize = 256;      // sizeof(struct statx), the same on every architecture
    private const int LinkCountOffset = 16; // offsetof(struct statx, stx_nlink)

    /// <summary>The number of hard links of the open file; 1 when the system cannot say.</summary>
    public static unsafe uint Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 1;
        }

        var buffer = stackalloc byte[StatxSize];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), "", EmptyPath, LinkCountMask, buffer) != 0)
            {
                return 1;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return *(uint*)(buffer + LinkCountOffset);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
