using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// A server killed with SIGKILL in the middle of a garbage collection sweep, then restarted: nothing referenced is lost,
/// and the sweep completes. The collector deletes one blob per transaction here (Gc:BatchSize 1), so a kill lands
/// between transactions or inside one (bytes deleted, row not yet), both of which the design must survive. Blobs are
/// files here (<c>Storage:InlineMaxBytes</c> 0): a small blob kept in the database goes in its batch's transaction.
/// </summary>
public sealed class GcCrashTests : IDisposable
{
    private const int Garbage = 1500;
    private readonly string _data = Directory.CreateTempSubdirectory("wharf-gc-crash-").FullName;

    [Fact]
    public async Task Killing_the_server_twice_during_a_sweep_loses_nothing_referenced_and_the_sweep_completes_after_restart()
    {
        var kept = new List<RawImage>();
        await using (var server = await WharfTestServer.StartAsync(new Dictionary<string, string?> { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite", ["Storage:InlineMaxBytes"] = "0", ["Gc:Enabled"] = "false" }, dataDirectory: _data))
        {
            for (var i = 0; i < 4; i++)
            {
                kept.Add(await RawPush.ImageAsync(server.Client, "app", $"v{i}", 5000));
            }

            await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
            {
                for (var i = worker; i < Garbage; i += 4)
                {
                    await RawPush.BlobAsync(server.Client, "scratch", RandomNumberGenerator.GetBytes(64));
                }
            }));
            using var delete = await server.Client.DeleteAsync(new Uri("/api/repository/scratch", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var total = BlobFiles();
        Assert.Equal(Garbage + (kept.Count * 2), total);
        var kills = 0;
        foreach (var fraction in new[] { 0.2, 0.5 })
        {
            // Watched from the process's start, not from its "listening" line: the collector starts with the host, and
            // waiting for the line left the sweep unwatched through start-up (a fresh-clone run saw the sweep finish before
            // the second kill).
            await using var wharf = StartCollecting();
            await wharf.KillWhenAsync(() => BlobFiles() <= total - (Garbage * fraction));
            kills++;
            AssertKeptFilesExist(kept);
        }

        Assert.True(BlobFiles() > kept.Count * 2, "the sweep finished before the second kill: the test did not kill it mid-sweep");
        await using (var wharf = StartCollecting())
        {
            var address = await wharf.WaitUntilListeningAsync();
            using var client = new HttpClient { BaseAddress = address };
            for (var polls = 0; BlobFiles() > kept.Count * 2 && polls < 3000; polls++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(kept.Count * 2, BlobFiles());
            foreach (var image in kept)
            {
                Assert.Equal(image.Manifest, await client.GetByteArrayAsync(new Uri($"/v2/app/manifests/{image.Tag}", UriKind.Relative)));
                foreach (var (digest, bytes) in image.Blobs)
                {
                    Assert.Equal(bytes, await client.GetByteArrayAsync(new Uri($"/v2/app/blobs/{digest}", UriKind.Relative)));
                }
            }

            await wharf.TerminateAsync(TimeSpan.FromSeconds(30));
        }

        await using var status = WharfProcess.Start(["gc", "status", "--json", "--data", _data]);
        Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var json = JsonDocument.Parse(status.Output[status.Output.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        Assert.Equal(0, json.GetProperty("queued").GetProperty("blobs").GetInt64());
        Assert.Equal(2, kills);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private WharfProcess StartCollecting() => WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", _data], new Dictionary<string, string>
    {
        ["WHARF_GC__GRACEPERIOD"] = "00:00:00",
        ["WHARF_GC__INTERVAL"] = "00:00:00.010",
        ["WHARF_GC__BATCHSIZE"] = "1",
        ["WHARF_STORAGE__INLINEMAXBYTES"] = "0",
    });

    private int BlobFiles() =>
        Directory.Exists(Path.Combine(_data, "blobs")) ? Directory.EnumerateFiles(Path.Combine(_data, "blobs"), "*", SearchOption.AllDirectories).Count() : 0;

    private void AssertKeptFilesExist(List<RawImage> kept)
    {
        foreach (var digest in kept.SelectMany(k => k.Blobs.Keys))
        {
            var path = Path.Combine(_data, "blobs", "sha256", digest[7..9], digest[7..]);
            Assert.True(File.Exists(path), $"a referenced blob's file is gone after the kill: {digest}");
        }
    }
}
