namespace Wharf.Metadata.Sqlite;

/// <summary>
/// Keeps the database readable by its owner alone: it holds the token signing keys and the password hashes. A new
/// directory is created 0700 and a new database file 0600 whatever the umask (SQLite gives its <c>-wal</c> and
/// <c>-shm</c> files the database file's mode); an existing database, WAL or SHM file open to others is narrowed to 0600.
/// </summary>
internal static class PrivateDatabaseFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersAny = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void Prepare(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }

        if (!File.Exists(path))
        {
            // An empty file is an empty SQLite database; creating it here fixes its mode before SQLite opens it.
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & OthersAny) != 0)
                {
                    File.SetUnixFileMode(file, File.GetUnixFileMode(file) & ~OthersAny);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another account's file (or one just removed): its owner must narrow it; serve warns about the directory.
            }
        }
    }
}
