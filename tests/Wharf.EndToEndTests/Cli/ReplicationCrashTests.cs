using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Wharf.Client;
using Wharf.EndToEndTests.Clients;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// Replication with the real <c>wharf serve</c> and real Distribution 2.8.2: a <c>kill -9</c> while a job's blob is
/// half uploaded to the target (the relay in front of the target holds the rest) and a restart complete the job
/// byte-identical; and an image pushed by <c>skopeo copy --all</c> (a multi-arch index) arrives at the target unchanged.
/// </summary>
public sealed class ReplicationCrashTests : IDisposable
{
    /// <summary>The replicated layer's size; <c>./test.sh --heavy</c> makes it large.</summary>
    private static readonly int LayerBytes =
        (int.TryParse(Environment.GetEnvironmentVariable("WHARF_TEST_REPLICATION_KILL_MIB"), NumberStyles.None, CultureInfo.InvariantCulture, out var mib) && mib > 0 ? mib : 8)
        * 1024 * 1024;

    private readonly TempDirectory _work = new("wharf-replication-crash");

    private string Data => Path.Combine(_work.Path, "data");

    [Fact]
    public async Task A_kill_9_in_the_middle_of_a_copy_and_a_restart_complete_the_job_byte_identical()
    {
        await using var distribution = await DistributionRegistry.StartAsync();
        await using var relay = new TcpRelay("127.0.0.1", distribution.BaseAddress.Port);
        using var target = new RegistryClient(new RegistryClientOptions { BaseAddress = distribution.BaseAddress });
        var environment = Settings(new Uri($"http://127.0.0.1:{relay.Port.ToString(CultureInfo.InvariantCulture)}/"));
        relay.HoldAfter(LayerBytes / 2); // the copy freezes with half of the layer sent

        RawImage image;
        await using (var first = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            using var client = new HttpClient { BaseAddress = await first.WaitUntilListeningAsync(), Timeout = TimeSpan.FromMinutes(5) };
            image = await RawPush.ImageAsync(client, "team/app", "v1", LayerBytes);
            var held = await Task.WhenAny(relay.Holding, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(held == relay.Holding, $"the copy never reached the middle of the layer. Output:\n{first.Output}");
            await first.KillAsync();
        }

        relay.Release();
        Assert.Null(await target.GetManifestAsync("team/app", "v1"));
        var job = Assert.Single(await ListAsync(environment)); // what the dead instance left: leased, not recorded
        Assert.Equal(("pending", 0), (job.GetProperty("state").GetString(), job.GetProperty("attempts").GetInt32()));

        await using (var second = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            await second.WaitUntilListeningAsync();
            await WaitForTagAsync(target, "team/app", "v1", second); // once the dead instance's lease (10 s) has run out
            Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var copied = await target.GetManifestAsync("team/app", "v1");
        Assert.Equal(image.Digest, copied!.Digest.Value);
        Assert.Equal(image.Manifest, copied.Bytes.ToArray());
        foreach (var (digest, bytes) in image.Blobs)
        {
            await using var blob = await target.GetBlobAsync("team/app", Wharf.Core.Protocol.Digest.Parse(digest));
            Assert.NotNull(blob);
            Assert.Equal(RawPush.Sha256(bytes), "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(blob.Content)));
        }

        job = Assert.Single(await ListAsync(environment));
        Assert.Equal(("done", 1), (job.GetProperty("state").GetString(), job.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_multi_arch_image_pushed_with_skopeo_is_copied_to_the_target_unchanged()
    {
        await using var distribution = await DistributionRegistry.StartAsync();
        using var target = new RegistryClient(new RegistryClientOptions { BaseAddress = distribution.BaseAddress });
        var layout = OciLayoutBuilder.MultiArch(_work.CreateSubdirectory("layout"), "replicated");
        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], Settings(distribution.BaseAddress));
        var address = await server.WaitUntilListeningAsync();

        await new Skopeo(() => server.Output).CopyAsync(layout.SkopeoReference, $"docker://{address.Authority}/team/multi:v2", "--all");
        await WaitForTagAsync(target, "team/multi", "v2", server);

        var index = await target.GetManifestAsync("team/multi", "v2");
        Assert.Equal(layout.RootDigest, index!.Digest.Value);
        Assert.Equal(layout.RootBytes, index.Bytes.ToArray());
        foreach (var image in layout.Images)
        {
            var child = await target.GetManifestAsync("team/multi", image.ManifestDigest);
            Assert.Equal(image.ManifestBytes, child?.Bytes.ToArray());
            foreach (var blob in image.BlobDigests)
            {
                Assert.NotNull(await target.HeadBlobAsync("team/multi", Wharf.Core.Protocol.Digest.Parse(blob)));
            }
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => _work.Dispose();

    private static Dictionary<string, string> Settings(Uri targetUrl) => new()
    {
        ["WHARF_REPLICATION__POLLINTERVAL"] = "00:00:00.100",
        ["WHARF_REPLICATION__LEASE"] = "00:00:10",
        ["WHARF_REPLICATION__MINBACKOFF"] = "00:00:00.200",
        ["WHARF_REPLICATION__MAXBACKOFF"] = "00:00:01",
        ["WHARF_REPLICATION__REGISTRIES__0__NAME"] = "dr",
        ["WHARF_REPLICATION__REGISTRIES__0__URL"] = targetUrl.ToString(),
        ["WHARF_REPLICATION__RULES__0__NAME"] = "releases",
        ["WHARF_REPLICATION__RULES__0__REGISTRY"] = "dr",
        ["WHARF_REPLICATION__RULES__0__REPOSITORIES__0"] = "team/**",
        ["WHARF_REPLICATION__RULES__0__TAGS__0"] = "v*",
    };

    /// <summary>Polls the target: the server's own worker copies on its own schedule.</summary>
    private static async Task WaitForTagAsync(RegistryClient target, string repository, string tag, WharfProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (await target.HeadManifestAsync(repository, tag) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{repository}:{tag} was not copied in 90 s. Output:\n{server.Output}");
            await Task.Delay(100); // a real server's own worker: nothing to wait on but the target
        }
    }

    private async Task<List<JsonElement>> ListAsync(IReadOnlyDictionary<string, string> environment)
    {
        await using var wharf = WharfProcess.Start(["replication", "list", "--json", "--data", Data], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"wharf replication list exited {exitCode}:\n{wharf.Output}");
        using var json = JsonDocument.Parse(wharf.Output);
        return [.. json.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.Clone())];
    }
}
