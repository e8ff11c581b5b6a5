using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>What clients pushed is still served, byte for byte, by a registry restarted on the same data.</summary>
public sealed class RegistryRestartTests : IDisposable
{
    private readonly TempDirectory _temp = new("wharf-e2e-restart");
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Images_pushed_before_a_registry_restart_are_pulled_byte_for_byte_after_it()
    {
        var data = _temp.CreateSubdirectory("data");
        var single = OciLayoutBuilder.SingleArch(_temp.CreateSubdirectory("single"), "restart-single");
        var multi = OciLayoutBuilder.MultiArch(_temp.CreateSubdirectory("multi"), "restart-multi");
        string dockerDigest;
        await using (var before = await TestRegistry.StartAsync(data))
        {
            await _skopeo.PushAsync(single.SkopeoReference, $"{before.Authority}/restart/single:v1", _temp.Path);
            await _skopeo.PushAsync(multi.SkopeoReference, $"{before.Authority}/restart/multi:v1", _temp.Path, "--all");
            dockerDigest = await _skopeo.PushAsync(single.SkopeoReference, $"{before.Authority}/restart/docker:v1", _temp.Path, "--format", "v2s2");
        }

        await using var after = await TestRegistry.StartAsync(data);
        using var http = new RegistryHttp(after.BaseAddress);

        ImageAssert.ServedEqualsLayout(single, await http.GetImageAsync("restart/single", "v1"));
        ImageAssert.ServedEqualsLayout(multi, await http.GetImageAsync("restart/multi", "v1"));
        Assert.Equal(dockerDigest, (await http.GetImageAsync("restart/docker", "v1")).Root.Digest);
        Assert.Equal(["v1"], await http.ListTagsAsync("restart/single"));
        var output = _temp.CreateSubdirectory("out");
        await _skopeo.CopyAsync($"docker://{after.Authority}/restart/multi:v1", $"oci:{output}:v1", "--all");
        ImageAssert.LayoutEqualsLayout(multi, OciLayoutReader.Read(output, "v1"));
    }

    public void Dispose() => _temp.Dispose();
}
