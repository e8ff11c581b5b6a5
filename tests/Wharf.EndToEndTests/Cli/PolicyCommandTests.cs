using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf retention run [--dry-run]</c> and <c>wharf quota status</c> on the store a server wrote, as an operator runs them.</summary>
public sealed class PolicyCommandTests : IDisposable
{
    private const string Config = """
        Retention:
          Rules:
            - Repositories: "ci/**"
              DeleteOlderThan: 30d
              KeepTags: "^keep-"
        Quotas:
          Namespaces:
            ci: 10KiB
        """;

    private readonly string _work = Directory.CreateTempSubdirectory("wharf-policy-").FullName;

    private string Data => Path.Combine(_work, "data");

    private string ConfigFile => Path.Combine(_work, "wharf.yaml");

    [Fact]
    public async Task Retention_run_lists_then_deletes_the_same_tags_and_quota_status_agrees_with_the_api()
    {
        await File.WriteAllTextAsync(ConfigFile, Config);
        // The server's clock starts 40 days ago, so what it pushes first is old by the real clock the CLI reads.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-40));
        long usage;
        await using (var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Retention:Rules:0:Repositories"] = "ci/**",
            ["Retention:Rules:0:DeleteOlderThan"] = "30d",
            ["Quotas:Namespaces:ci"] = "10KiB",
        }, time, Data))
        {
            await PushAsync(server.Client, "ci/app", "old", 1000);
            await PushAsync(server.Client, "ci/app", "keep-me", 1100);
            await PushAsync(server.Client, "ci/tools", "old-tool", 1200);
            time.Advance(TimeSpan.FromDays(39));
            await PushAsync(server.Client, "ci/app", "new", 1300);
            using var status = await server.Client.GetAsync("/api/namespaces/ci");
            usage = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("usage").GetInt64();
        }

        var dry = await RunCheckedAsync("retention", "run", "--dry-run");
        var wouldGo = Lines(dry, "would delete ");
        Assert.Equal(["ci/app:old", "ci/tools:old-tool"], wouldGo);
        Assert.Contains("2 tags would be deleted", dry, StringComparison.Ordinal);

        var real = await RunCheckedAsync("retention", "run");
        Assert.Equal(wouldGo, Lines(real, "deleted "));
        Assert.Contains("2 tags deleted", real, StringComparison.Ordinal);
        Assert.Empty(Lines(await RunCheckedAsync("retention", "run", "--dry-run"), "would delete "));

        var one = await RunCheckedAsync("quota", "status", "ci");
        Assert.Contains($"ci: {usage} of 10240 bytes used", one, StringComparison.Ordinal);
        var all = await RunCheckedAsync("quota", "status");
        Assert.Contains($"ci: {usage} of 10240 bytes used", all, StringComparison.Ordinal);
        Assert.NotEqual(0, (await RunAsync("quota", "status", "ci/app")).ExitCode);

        await using var after = await WharfTestServer.StartAsync(dataDirectory: Data);
        using var tags = await after.Client.GetAsync("/v2/ci/app/tags/list");
        var names = JsonDocument.Parse(await tags.Content.ReadAsStringAsync()).RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(["keep-me", "new"], names);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static List<string> Lines(string output, string prefix) =>
        [.. output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Split(' ')[0]).Order(StringComparer.Ordinal)];

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Data, "--config", ConfigFile]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, wharf.Output);
    }

    private async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(arguments);
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Pushes a config blob of <paramref name="size"/> random bytes and a manifest naming it, under <paramref name="tag"/>.</summary>
    private static async Task PushAsync(HttpClient client, string repository, string tag, int size)
    {
        var config = RandomNumberGenerator.GetBytes(size);
        var configDigest = Sha256(config);
        using (var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={configDigest}", new ByteArrayContent(config)))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{size}}},"layers":[]}""");
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
