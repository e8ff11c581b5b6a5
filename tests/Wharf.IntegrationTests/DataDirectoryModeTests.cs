using System.Runtime.InteropServices;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// Under the usual umask 022, a registry's new data directory is 0700 and its database, WAL and SHM files 0600: they
/// hold the token signing keys and the password hashes.
/// </summary>
public sealed class DataDirectoryModeTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_data_directory_and_its_database_files_are_private_to_their_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var previous = Umask(0x12); // 022
        try
        {
            await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Auth:Mode"] = "token",
                ["Metadata:Driver"] = "Sqlite",
                ["Storage:Driver"] = "FileSystem",
            });
            using var push = await server.Client.GetAsync("/auth/token?service=wharf"); // signs: keys exist, the WAL has been written

            Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(server.DataDirectory));
            foreach (var name in new[] { "wharf.db", "wharf.db-wal", "wharf.db-shm" })
            {
                var path = Path.Combine(server.DataDirectory, name);
                Assert.True(File.Exists(path), path);
                Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Umask(previous);
        }
    }

    /// <summary>Sets the process's umask (the test restores it); blittable, so no marshalling is generated.</summary>
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
}
