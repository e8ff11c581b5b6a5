using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>
/// Real daemons pulling through Wharf's cache in mirror mode from an upstream Distribution 2.8.2: dockerd with
/// <c>registry-mirrors</c>, and ctr with a <c>hosts.toml</c> mirror (which sends <c>ns=</c>). Neither can fall back to
/// the image's own registry (docker.io is not reachable here, <c>registry.invalid</c> never resolves), so a pull that
/// succeeds came through Wharf.
/// </summary>
public sealed class MirrorTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("wharf-mirror-e2e");
    private DistributionRegistry _upstream = null!;
    private WharfTestServer _wharf = null!;

    public async Task InitializeAsync()
    {
        _upstream = await DistributionRegistry.StartAsync();
        _wharf = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Default"] = "hub",
            ["Mirror:Upstreams:0:Prefix"] = "hub",
            ["Mirror:Upstreams:0:Url"] = _upstream.BaseAddress.ToString(),
            ["Mirror:Upstreams:0:LibraryPrefix"] = "true",
            ["Mirror:Upstreams:0:Namespaces:0"] = "docker.io",
            ["Mirror:Upstreams:1:Prefix"] = "invalid",
            ["Mirror:Upstreams:1:Url"] = _upstream.BaseAddress.ToString(),
            ["Mirror:Upstreams:1:Namespaces:0"] = "registry.invalid",
        });
    }

    public async Task DisposeAsync()
    {
        await _wharf.DisposeAsync();
        await _upstream.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Dockerd_with_registry_mirrors_pulls_a_docker_hub_name_through_wharf()
    {
        var layout = OciLayoutBuilder.SingleArch(_temp.CreateSubdirectory("layout-docker"), "mirrored-docker");
        var name = $"mirrored-{Guid.NewGuid():N}"[..20];
        var pushed = await new Skopeo(_upstream.ReadLog).PushAsync(layout.SkopeoReference, $"{_upstream.Authority}/library/{name}:v1", _temp.Path, "--format", "v2s2");
        var engine = new DockerEngineFixture { DaemonConfig = $$"""{ "registry-mirrors": ["http://{{_wharf.Authority}}"] }""" };
        await engine.InitializeAsync();
        try
        {
            var pulled = await new DockerCli(engine, _upstream.ReadLog).PullAsync($"{name}:v1");

            Assert.Equal(pushed, pulled);
            await AssertCachedAsync($"hub/library/{name}", layout.Image.BlobDigests);
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ctr_with_a_hosts_toml_mirror_pulls_through_wharf_chosen_by_ns()
    {
        var layout = OciLayoutBuilder.SingleArch(_temp.CreateSubdirectory("layout-ctr"), "mirrored-ctr");
        var pushed = await new Skopeo(_upstream.ReadLog).PushAsync(layout.SkopeoReference, $"{_upstream.Authority}/team/ctr-app:v1", _temp.Path);
        var hosts = _temp.CreateSubdirectory("hosts");
        Directory.CreateDirectory(Path.Combine(hosts, "registry.invalid"));
        await File.WriteAllTextAsync(Path.Combine(hosts, "registry.invalid", "hosts.toml"), $"""
            server = "https://registry.invalid"

            [host."http://{_wharf.Authority}"]
              capabilities = ["pull", "resolve"]
            """);
        var containerd = new ContainerdFixture();
        await containerd.InitializeAsync();
        try
        {
            var ctr = new Ctr(containerd, _upstream.ReadLog);
            await ctr.RunAsync("images", "pull", "--hosts-dir", hosts, "registry.invalid/team/ctr-app:v1");

            Assert.Equal(pushed, await ctr.ImageDigestAsync("registry.invalid/team/ctr-app:v1"));
            await AssertCachedAsync("invalid/team/ctr-app", layout.Image.BlobDigests);
        }
        finally
        {
            await containerd.DisposeAsync();
        }
    }

    /// <summary>The blobs are stored in Wharf, in the cached repository, as ordinary blobs.</summary>
    private async Task AssertCachedAsync(string repository, IReadOnlyList<string> digests)
    {
        // A client gets a fetched blob's last byte once its digest verified; the store's commit may still be running.
        await _wharf.Services.GetRequiredService<PullThroughCache>().WaitForFetchesAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        var blobs = _wharf.Services.GetRequiredService<BlobService>();
        foreach (var digest in digests)
        {
            Assert.True((await blobs.StatAsync(repository, Digest.Parse(digest), CancellationToken.None)).IsOk, $"{digest} is not cached in {repository}");
        }
    }
}
