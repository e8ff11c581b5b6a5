using System.Text.Json;
using Wharf.Client;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// Push and pull rules as an operator runs them: <c>wharf serve</c>'s own worker copies a push to Distribution 2.8.2, or
/// pulls a matching tag from it, and <c>wharf replication list|status|run</c> show the jobs (and a pull rule's last
/// pass) and extend them.
/// </summary>
public sealed class ReplicationCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-replication-").FullName;

    private string Data => Path.Combine(_work, "data");

    [Fact]
    public async Task The_server_copies_a_matching_push_and_the_commands_list_it_show_the_rule_and_run_it_again()
    {
        await using var distribution = await DistributionRegistry.StartAsync();
        using var target = new RegistryClient(new RegistryClientOptions { BaseAddress = distribution.BaseAddress });
        var environment = new Dictionary<string, string>
        {
            ["WHARF_REPLICATION__POLLINTERVAL"] = "00:00:00.100",
            ["WHARF_REPLICATION__REGISTRIES__0__NAME"] = "dr",
            ["WHARF_REPLICATION__REGISTRIES__0__URL"] = distribution.BaseAddress.ToString(),
            ["WHARF_REPLICATION__RULES__0__NAME"] = "releases",
            ["WHARF_REPLICATION__RULES__0__REGISTRY"] = "dr",
            ["WHARF_REPLICATION__RULES__0__REPOSITORIES__0"] = "team/**",
            ["WHARF_REPLICATION__RULES__0__TAGS__0"] = "v*",
        };
        RawImage image;
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            image = await RawPush.ImageAsync(client, "team/app", "v1");
            await RawPush.ImageAsync(client, "team/app", "latest");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await target.GetManifestAsync("team/app", "v1") is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the push was not copied in 30 s. Output:\n{server.Output}");
                await Task.Delay(100); // a real server's own worker: nothing to wait on but the target
            }

            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(image.Manifest, (await target.GetManifestAsync("team/app", "v1"))!.Bytes.ToArray());
        Assert.Null(await target.GetManifestAsync("team/app", "latest"));

        var job = Assert.Single(Lines(await RunCheckedAsync(environment, "replication", "list"))).Split('\t');
        Assert.Equal(["releases", "done", "1", "team/app:v1", image.Digest, "-"], job[2..]);
        Assert.Equal(["releases", "push", "dr", "0", "1", "0", "-"], Assert.Single(Lines(await RunCheckedAsync(environment, "replication", "status"))).Split('\t'));

        Assert.Contains("1 job written for releases", await RunCheckedAsync(environment, "replication", "run", "releases"), StringComparison.Ordinal);
        var (unknownCode, unknown) = await RunAsync(environment, "replication", "run", "nope");
        Assert.NotEqual(0, unknownCode);
        Assert.Contains("no push or pull rule is named 'nope'", unknown, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await RunCheckedAsync(environment, "replication", "list", "--state", "pending", "--json"));
        var pending = Assert.Single(json.RootElement.GetProperty("jobs").EnumerateArray());
        Assert.Equal(("team/app", "v1", image.Digest), (pending.GetProperty("repository").GetString(), pending.GetProperty("reference").GetString(), pending.GetProperty("digest").GetString()));
    }

    [Fact]
    public async Task The_server_pulls_a_matching_tag_from_the_source_and_status_shows_the_rule_s_last_pass()
    {
        await using var distribution = await DistributionRegistry.StartAsync();
        using var source = new RegistryClient(new RegistryClientOptions { BaseAddress = distribution.BaseAddress });
        var environment = new Dictionary<string, string>
        {
            ["WHARF_REPLICATION__POLLINTERVAL"] = "00:00:00.100",
            ["WHARF_REPLICATION__REGISTRIES__0__NAME"] = "upstream",
            ["WHARF_REPLICATION__REGISTRIES__0__URL"] = distribution.BaseAddress.ToString(),
            ["WHARF_REPLICATION__RULES__0__NAME"] = "alpine",
            ["WHARF_REPLICATION__RULES__0__DIRECTION"] = "pull",
            ["WHARF_REPLICATION__RULES__0__REGISTRY"] = "upstream",
            ["WHARF_REPLICATION__RULES__0__REPOSITORIES__0"] = "library/alpine",
            ["WHARF_REPLICATION__RULES__0__TAGS__0"] = "3.*",
            ["WHARF_REPLICATION__RULES__0__INTERVAL"] = "01:00:00",
        };
        var config = System.Text.Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}""");
        using (var body = new MemoryStream(config))
        {
            await source.PushBlobAsync("library/alpine", Wharf.Core.Protocol.Digest.Compute(config), config.Length, body);
        }

        var manifest = System.Text.Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Wharf.Core.Protocol.Digest.Compute(config)}}","size":{{config.Length}}},"layers":[]}
            """);
        var digest = await source.PutManifestAsync("library/alpine", "3.20", "application/vnd.oci.image.manifest.v1+json", manifest);

        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            using var wharf = new RegistryClient(new RegistryClientOptions { BaseAddress = await server.WaitUntilListeningAsync() });
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await wharf.HeadManifestAsync("library/alpine", "3.20") is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the tag was not pulled in 30 s. Output:\n{server.Output}");
                await Task.Delay(100); // a real server's own worker: nothing to wait on but the registry
            }

            Assert.Equal(manifest, (await wharf.GetManifestAsync("library/alpine", "3.20"))!.Bytes.ToArray());
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var job = Assert.Single(Lines(await RunCheckedAsync(environment, "replication", "list"))).Split('\t');
        Assert.Equal(["alpine", "done", "1", "library/alpine:3.20", digest.Value, "-"], job[2..]);
        var status = Assert.Single(Lines(await RunCheckedAsync(environment, "replication", "status"))).Split('\t');
        Assert.Equal(["alpine", "pull", "upstream", "0", "1", "0", "-"], status[..7]);
        Assert.Equal(["1", "-"], status[8..10]); // the last pass wrote one job and failed nowhere
        var lastPass = DateTimeOffset.Parse(status[7], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromHours(1), DateTimeOffset.Parse(status[10], System.Globalization.CultureInfo.InvariantCulture) - lastPass);
        Assert.Contains("the next pass of alpine is due now", await RunCheckedAsync(environment, "replication", "run", "alpine"), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static List<string> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    private async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Data], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, wharf.Output);
    }

    private async Task<string> RunCheckedAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(environment, arguments);
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }
}
