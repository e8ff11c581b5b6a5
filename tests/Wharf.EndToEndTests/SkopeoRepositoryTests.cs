using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;

namespace Wharf.EndToEndTests;

/// <summary>skopeo with larger blobs and whole repositories (sync).</summary>
public sealed class SkopeoRepositoryTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Skopeo_pushes_and_pulls_a_layer_of_several_megabytes_byte_for_byte()
    {
        var layout = fixture.SingleArchLayout("skopeo-large", dataBytes: 24 * 1024 * 1024);
        var reference = fixture.Ref("skopeo/large");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);

        Assert.Equal(layout.RootDigest, pushed);
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("skopeo/large", "v1"));
        var output = fixture.NewDirectory("out");
        await _skopeo.CopyAsync("docker://" + reference, $"oci:{output}:v1");
        ImageAssert.LayoutEqualsLayout(layout, Wharf.TestKit.OciLayoutReader.Read(output, "v1"));
    }

    [Fact]
    public async Task Skopeo_sync_copies_every_tag_of_a_repository_into_another()
    {
        var single = fixture.SingleArchLayout("skopeo-sync");
        var multi = fixture.MultiArchLayout("skopeo-sync");
        await _skopeo.PushAsync(single.SkopeoReference, fixture.Ref("sync/source", "single"), fixture.Temp.Path);
        await _skopeo.PushAsync(multi.SkopeoReference, fixture.Ref("sync/source", "multi"), fixture.Temp.Path, "--all");

        await _skopeo.RunCheckedAsync(
            "sync", "--src", "docker", "--dest", "docker", "--all", "--src-tls-verify=false", "--dest-tls-verify=false",
            $"{fixture.Authority}/sync/source", $"{fixture.Authority}/mirror");

        Assert.Equal(["multi", "single"], (await fixture.Http.ListTagsAsync("mirror/source")).Order(StringComparer.Ordinal).ToList());
        ImageAssert.ServedEqualsLayout(single, await fixture.Http.GetImageAsync("mirror/source", "single"));
        ImageAssert.ServedEqualsLayout(multi, await fixture.Http.GetImageAsync("mirror/source", "multi"));
        var tags = await _skopeo.RunCheckedAsync("list-tags", "--tls-verify=false", $"docker://{fixture.Authority}/mirror/source");
        using var json = JsonDocument.Parse(tags.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("Tags").GetArrayLength());
    }
}
