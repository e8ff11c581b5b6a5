using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf gc status | --dry-run | --run</c> and <c>wharf repo delete</c> on a data directory a server filled.</summary>
public sealed class GcCommandTests : IDisposable
{
    private static readonly Dictionary<string, string?> FileSystemAndSqlite = new() { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite" };
    private readonly string _data = Directory.CreateTempSubdirectory("wharf-gc-cli-").FullName;

    [Fact]
    public async Task Dry_run_lists_what_a_run_then_deletes_and_every_tagged_image_still_pulls()
    {
        RawImage kept, untagged;
        string unreferenced;
        await using (var server = await WharfTestServer.StartAsync(FileSystemAndSqlite, dataDirectory: _data))
        {
            kept = await RawPush.ImageAsync(server.Client, "app", "v1");
            untagged = await RawPush.ImageAsync(server.Client, "app", "v2");
            using (var untag = await server.Client.DeleteAsync(new Uri("/v2/app/manifests/v2", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
            }

            unreferenced = await RawPush.BlobAsync(server.Client, "app", RandomNumberGenerator.GetBytes(777));
        }

        var stray = Stray(Path.Combine(_data, "blobs", "sha256"), RandomNumberGenerator.GetBytes(100));
        var partial = Stray(Path.Combine(_data, "listings", "partial"), [1, 2, 3], "0123456789abcdef0123456789abcdef");

        var dryRun = await RunAsync("gc", "--dry-run", "--delete-untagged", "--verbose");
        Assert.Contains("would delete 1 manifests, 3 blob links, 3 blobs", dryRun, StringComparison.Ordinal);
        Assert.Contains("2 storage objects no row names", dryRun, StringComparison.Ordinal);
        Assert.Contains($"manifest app@{untagged.Digest}", dryRun, StringComparison.Ordinal);
        Assert.Contains($"blob     {unreferenced}", dryRun, StringComparison.Ordinal);
        Assert.True(File.Exists(stray) && File.Exists(partial), "a dry run deletes nothing");

        var run = await RunAsync("gc", "--run", "--delete-untagged");
        Assert.Contains("deleted 1 manifests, 3 blob links, 3 blobs", run, StringComparison.Ordinal);
        Assert.Contains("2 storage leftovers", run, StringComparison.Ordinal);
        Assert.False(File.Exists(stray));
        Assert.False(File.Exists(partial));
        Assert.False(Stored(unreferenced));
        Assert.False(Stored(untagged.Layer));

        var status = JsonDocument.Parse(await RunAsync("gc", "status", "--json")).RootElement;
        Assert.Equal(3, status.GetProperty("reclaimed").GetProperty("blobs").GetInt64());
        Assert.Equal(1, status.GetProperty("reclaimed").GetProperty("manifests").GetInt64());

        await using var restarted = await WharfTestServer.StartAsync(FileSystemAndSqlite, dataDirectory: _data);
        Assert.Equal(kept.Manifest, await restarted.Client.GetByteArrayAsync(new Uri("/v2/app/manifests/v1", UriKind.Relative)));
        Assert.Equal(kept.Blobs[kept.Layer], await restarted.Client.GetByteArrayAsync(new Uri($"/v2/app/blobs/{kept.Layer}", UriKind.Relative)));
        using var gone = await restarted.Client.GetAsync(new Uri($"/v2/app/manifests/{untagged.Digest}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Without_delete_untagged_the_default_policy_keeps_untagged_manifests_and_their_blobs()
    {
        RawImage untagged;
        await using (var server = await WharfTestServer.StartAsync(FileSystemAndSqlite, dataDirectory: _data))
        {
            untagged = await RawPush.ImageAsync(server.Client, "app", "v1");
            using var untag = await server.Client.DeleteAsync(new Uri("/v2/app/manifests/v1", UriKind.Relative));
        }

        var run = await RunAsync("gc", "--run");

        Assert.Contains("deleted 0 manifests, 0 blob links, 0 blobs", run, StringComparison.Ordinal);
        Assert.True(Stored(untagged.Layer));
    }

    [Fact]
    public async Task Repo_delete_removes_the_repository_and_gc_status_shows_its_blobs_queued()
    {
        await using (var server = await WharfTestServer.StartAsync(FileSystemAndSqlite, dataDirectory: _data))
        {
            await RawPush.ImageAsync(server.Client, "team/app", "v1");
        }

        Assert.Contains("deleted repository team/app", await RunAsync("repo", "delete", "team/app"), StringComparison.Ordinal);
        await using (var again = WharfProcess.Start(["repo", "delete", "team/app", "--data", _data]))
        {
            Assert.Equal(1, await again.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("no repository team/app", again.Output, StringComparison.Ordinal);
        }

        var status = await RunAsync("gc", "status");
        Assert.Contains("queued:    0 manifests, 2 blob links, 2 blobs", status, StringComparison.Ordinal); // the links' rows are left for the collector
        await using var restarted = await WharfTestServer.StartAsync(FileSystemAndSqlite, dataDirectory: _data);
        using var tags = await restarted.Client.GetAsync(new Uri("/v2/team/app/tags/list", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private async Task<string> RunAsync(params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", _data]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}\n{wharf.Output}");
        return wharf.Output;
    }

    private string BlobFile(string digest) => Path.Combine(_data, "blobs", "sha256", digest[7..9], digest[7..]);

    /// <summary>Whether storage holds the blob: as a file, or as a small blob kept in the database (docs/design/storage.md).</summary>
    private bool Stored(string digest)
    {
        if (File.Exists(BlobFile(digest)))
        {
            return true;
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_data, "wharf.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var row = connection.CreateCommand();
        row.CommandText = "SELECT count(*) FROM blob_bytes WHERE path = $p";
        row.Parameters.AddWithValue("$p", $"blobs/sha256/{digest[7..9]}/{digest[7..]}");
        return (long)row.ExecuteScalar()! > 0;
    }

    /// <summary>A file no row names, last written two days ago.</summary>
    private static string Stray(string directory, byte[] content, string? name = null)
    {
        var hex = RawPush.Sha256(content)[7..];
        var path = name is null ? Path.Combine(directory, hex[..2], hex) : Path.Combine(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-2));
        return path;
    }
}
