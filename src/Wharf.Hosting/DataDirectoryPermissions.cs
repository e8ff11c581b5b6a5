namespace Wharf.Hosting;

/// <summary>
/// The data directory holds the database (signing keys, password hashes), blobs and uploads: <c>serve</c> creates it
/// 0700 whatever the umask, and warns at startup when an existing one lets group or other accounts in.
/// </summary>
public static class DataDirectoryPermissions
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OthersAny = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="directory"/> (0700 on Unix) unless it exists.</summary>
    public static void Create(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnly);
        }
    }

    /// <summary>The directory's mode when group or other accounts may enter or read it, else null.</summary>
    public static UnixFileMode? OpenToOthers(string directory)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(directory))
        {
            return null;
        }

        var mode = File.GetUnixFileMode(directory);
        return (mode & OthersAny) != 0 ? mode : null;
    }

    /// <summary>A mode in octal, as chmod takes it (e.g. <c>0755</c>).</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
