using System.Runtime.InteropServices;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// Moves a file to a name only if nothing is there, atomically: <c>link(2)</c> fails with EEXIST when the
/// destination exists, so of two concurrent moves to one name exactly one places its file (a plain rename
/// would silently replace the other's). The source name is removed afterwards.
/// </summary>
internal static partial class ExclusiveMove
{
    private const int AlreadyExists = 17; // EEXIST
    private const int NoSuchFile = 2;     // ENOENT

    /// <summary>True when the file now lives at <paramref name="destination"/>; false when something was there already.</summary>
    /// <exception cref="FileNotFoundException">The source is gone.</exception>
    public static bool TryMove(string source, string destination)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            if (File.Exists(destination))
            {
                return false;
            }

            File.Move(source, destination, overwrite: false);
            return true;
        }

        if (Link(source, destination) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error switch
            {
                AlreadyExists => false,
                NoSuchFile when !File.Exists(source) => throw new FileNotFoundException("The source is gone.", source),
                _ => throw new IOException($"link({source}, {destination}) failed with errno {error}"),
            };
        }

        File.Delete(source);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);
}
