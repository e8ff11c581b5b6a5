using System.Net;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf backup</c> while the registry serves and pushes, then <c>wharf restore</c> into an empty data directory.</summary>
public sealed class BackupRestoreTests : IDisposable
{
    private static readonly Dictionary<string, string?> Local = new() { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite" };
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-backup-").FullName;

    private string Backup => Path.Combine(_work, "backup");

    private string Restored => Path.Combine(_work, "restored");

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var wharf = WharfProcess.Start(arguments);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exitCode, wharf.Output);
    }

    [Fact]
    public async Task A_backup_taken_while_pushing_restores_into_an_empty_directory_and_every_image_pulls_back_byte_exact()
    {
        await using var store = await StoreUnderTest.StartAsync(scaleOut: false);
        var client = store.Client;
        var single = await client.PushImageAsync("shop/web", "1.0", layers: 2);
        var amd64 = await client.PushImageAsync("shop/multi", "amd64");
        var arm64 = await client.PushImageAsync("shop/multi", "arm64");
        var index = await client.PushIndexAsync("shop/multi", "latest", [(amd64, "amd64"), (arm64, "arm64")]);
        var subject = $$"""{"mediaType":"{{StoreClient.ImageManifest}}","digest":"{{single.Digest}}","size":{{single.Manifest.Length}}}""";
        var signature = await client.PushImageAsync("shop/web", "1.0-signature", layers: 1, subject: subject, artifactType: "application/vnd.example.signature");

        // Pushes go on while the backup runs: whatever the snapshot holds must be whole.
        using var stopPushing = new CancellationTokenSource();
        var firstPushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = new List<PushedManifest>();
        var pushing = Task.Run(async () =>
        {
            for (var i = 0; !stopPushing.IsCancellationRequested; i++)
            {
                var pushed = await client.PushImageAsync("shop/busy", $"n{i}", layers: 2);
                lock (busy)
                {
                    busy.Add(pushed);
                }

                firstPushed.TrySetResult();
            }
        });
        await Task.WhenAny(firstPushed.Task, pushing);
        await firstPushed.Task;

        var (backedUp, backupOutput) = await store.RunAsync("backup", Backup);
        await stopPushing.CancelAsync();
        await pushing;
        Assert.True(backedUp == 0, backupOutput);
        Assert.Contains("backup complete", backupOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Backup, "wharf.db")) && File.Exists(Path.Combine(Backup, "backup.json")));

        Directory.CreateDirectory(Restored);
        var (restored, restoreOutput) = await RunAsync("restore", Backup, "--data", Restored);
        Assert.True(restored == 0, restoreOutput);
        Assert.Contains("restore complete", restoreOutput, StringComparison.Ordinal);
        Assert.Contains("0 missing or damaged", restoreOutput, StringComparison.Ordinal);

        var (checkedExit, checkOutput) = await RunAsync("check", "--data", Restored);
        Assert.True(checkedExit == 0, checkOutput);

        await using var server = await WharfTestServer.StartAsync(Local, dataDirectory: Restored);
        var pulls = new StoreClient(server.Client);
        foreach (var image in (PushedManifest[])[single, amd64, arm64, index, signature])
        {
            await pulls.AssertPullsExactlyAsync(image);
        }

        using (var referrers = await server.Client.GetAsync(new Uri($"/v2/shop/web/referrers/{single.Digest}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, referrers.StatusCode);
            Assert.Contains(signature.Digest, await referrers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Images pushed during the backup are in it whole, or not at all.
        var inBackup = 0;
        foreach (var image in busy)
        {
            using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri($"/v2/shop/busy/manifests/{image.Tag}", UriKind.Relative)));
            if (head.StatusCode == HttpStatusCode.OK)
            {
                await pulls.AssertPullsExactlyAsync(image);
                inBackup++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            }
        }

        Assert.True(inBackup > 0, "the snapshot holds none of the images pushed before it started");
    }

    [Fact]
    public async Task A_second_backup_into_the_same_directory_only_adds_what_is_new()
    {
        await using var store = await StoreUnderTest.StartAsync(scaleOut: false);
        // Small blobs are kept in the database and written out as files; larger ones are hard-linked.
        var large = new byte[100 * 1024];
        Random.Shared.NextBytes(large);
        var largeDigest = await store.Client.PushBlobAsync("shop/web", large);
        await store.Client.PushImageAsync("shop/web", "1.0", layers: 2);
        var (first, firstOutput) = await store.RunAsync("backup", Backup);
        Assert.True(first == 0, firstOutput);
        Assert.Contains("blobs: 1 linked, 0 copied, 3 written from the database, 0 already present", firstOutput, StringComparison.Ordinal);
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(Backup, StorageLayout.Blob(Digest.Parse(largeDigest)))));

        var added = await store.Client.PushImageAsync("shop/web", "2.0", layers: 1);
        var (second, secondOutput) = await store.RunAsync("backup", Backup);
        Assert.True(second == 0, secondOutput);
        Assert.Contains("blobs: 0 linked, 0 copied, 2 written from the database, 4 already present", secondOutput, StringComparison.Ordinal);
        foreach (var (digest, bytes) in added.Blobs)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(Backup, StorageLayout.Blob(Digest.Parse(digest)))));
        }
    }

    [Fact]
    public async Task Restore_refuses_a_store_holding_data_unless_forced_and_names_blobs_missing_or_damaged_in_the_backup()
    {
        await using var store = await StoreUnderTest.StartAsync(scaleOut: false);
        var image = await store.Client.PushImageAsync("shop/web", "1.0", layers: 2);
        var (backedUp, backupOutput) = await store.RunAsync("backup", Backup);
        Assert.True(backedUp == 0, backupOutput);

        var (refused, refusedOutput) = await RunAsync("restore", Backup, "--data", store.Server.DataDirectory);
        Assert.True(refused == 1, refusedOutput);
        Assert.Contains("already holds repositories, blobs or users", refusedOutput, StringComparison.Ordinal);

        var layers = image.Blobs.Keys.Where(d => image.Blobs[d].Length >= 1000).ToList();
        File.Delete(Path.Combine(Backup, StorageLayout.Blob(Digest.Parse(layers[0]))));
        var damagedPath = Path.Combine(Backup, StorageLayout.Blob(Digest.Parse(layers[1])));
        var damaged = (byte[])image.Blobs[layers[1]].Clone();
        damaged[0] ^= 0xFF;
        File.Delete(damagedPath); // a hard link to the live blob: replaced, never written through
        await File.WriteAllBytesAsync(damagedPath, damaged);

        var (incomplete, output) = await RunAsync("restore", Backup, "--data", Restored);
        Assert.True(incomplete == 1, output);
        Assert.Contains($"problem: blob {layers[0]} ({image.Blobs[layers[0]].Length} bytes) missing from the backup", output, StringComparison.Ordinal);
        Assert.Contains($"problem: blob {layers[1]} ({image.Blobs[layers[1]].Length} bytes) has the wrong digest in the backup", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Restored, StorageLayout.Blob(Digest.Parse(layers[1])))));

        var (again, againOutput) = await RunAsync("restore", Backup, "--data", Restored, "--no-verify");
        Assert.True(again == 1, againOutput);
        Assert.Contains("already holds", againOutput, StringComparison.Ordinal);

        var (forced, forcedOutput) = await RunAsync("restore", Backup, "--data", Restored, "--no-verify", "--force");
        Assert.True(forced == 1, forcedOutput);
        Assert.Contains($"blob {layers[0]}", forcedOutput, StringComparison.Ordinal);
        Assert.DoesNotContain($"blob {layers[1]}", forcedOutput, StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(Path.Combine(Restored, StorageLayout.Blob(Digest.Parse(layers[1])))));
        Assert.Equal(image.Blobs[layers[1]], await store.ReadStoredAsync(StorageLayout.Blob(Digest.Parse(layers[1]))));
    }

    [Fact]
    public async Task Backup_on_postgresql_says_it_handles_sqlite_only_and_gives_the_pg_dump_procedure()
    {
        await using var wharf = WharfProcess.Start(["backup", Backup, "--data", Path.Combine(_work, "data")], new Dictionary<string, string>
        {
            ["WHARF_METADATA__DRIVER"] = "PostgreSql",
            ["WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING"] = "Host=db.invalid;Database=wharf",
        });
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exitCode);
        Assert.Contains("handles the SQLite metadata store only", wharf.Output, StringComparison.Ordinal);
        Assert.Contains("pg_dump", wharf.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Backup));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
