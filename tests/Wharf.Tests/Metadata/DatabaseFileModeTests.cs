using System.Runtime.InteropServices;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata;

/// <summary>
/// The SQLite database holds the signing keys and password hashes: under the usual umask 022 its directory is still
/// created 0700 and the database, WAL and SHM files 0600; an existing database open to others is narrowed.
/// </summary>
public sealed class DatabaseFileModeTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDirectory _temp = new("wharf-modes");

    [Fact]
    public async Task Under_umask_022_the_directory_is_0700_and_the_database_wal_and_shm_are_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = _temp.Combine("data");
        var path = Path.Combine(directory, "wharf.db");
        var previous = Umask(0x12); // 022
        try
        {
            using var database = new SqliteDatabase(path);
            await database.MigrateAsync(CancellationToken.None);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                Assert.True(File.Exists(file), file);
                Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            Umask(previous);
        }
    }

    [Fact]
    public void An_existing_world_readable_database_is_narrowed_to_its_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _temp.Combine("wharf.db");
        File.WriteAllBytes(path, []);
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var database = new SqliteDatabase(path);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Sets the process's umask (the test restores it); blittable, so no marshalling is generated.</summary>
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
}
