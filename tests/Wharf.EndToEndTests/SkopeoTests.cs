using System.Net;
using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>skopeo 1.9 (containers/image) pushing to and pulling from the registry.</summary>
public sealed class SkopeoTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Skopeo_copies_an_oci_layout_in_and_back_out_byte_for_byte()
    {
        var layout = fixture.SingleArchLayout("skopeo-oci");
        var reference = fixture.Ref("skopeo/oci");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);

        Assert.Equal(layout.RootDigest, pushed);
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("skopeo/oci", "v1"));
        var output = fixture.NewDirectory("out");
        var mark = BlobDeliveryAssert.Mark(fixture.Registry);
        await _skopeo.CopyAsync("docker://" + reference, $"oci:{output}:v1");
        ImageAssert.LayoutEqualsLayout(layout, OciLayoutReader.Read(output, "v1"));
        BlobDeliveryAssert.PulledAsConfigured(fixture.Registry, mark, layout.Image.BlobDigests);
    }

    [Fact]
    public async Task Skopeo_converts_to_docker_schema2_and_the_registry_serves_exactly_what_it_pushed()
    {
        var layout = fixture.SingleArchLayout("skopeo-v2s2");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("skopeo/v2s2"), fixture.Temp.Path, "--format", "v2s2");

        var served = await fixture.Http.GetImageAsync("skopeo/v2s2", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(OciLayoutMediaTypes.DockerManifest, served.Root.ContentType);
        Assert.NotEqual(layout.RootDigest, pushed);
        ImageAssert.SameLayerBlobs(layout.Image, served);
        ImageAssert.SameFilesystem(layout.Image, served);
        var byDigest = await fixture.Http.GetManifestAsync("skopeo/v2s2", pushed);
        Assert.Equal(served.Root.Bytes, byDigest.Bytes);
    }

    [Fact]
    public async Task Skopeo_copies_a_multi_arch_index_with_all_platforms_and_back_out()
    {
        var layout = fixture.MultiArchLayout("skopeo-multi");
        var reference = fixture.Ref("skopeo/multi");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path, "--all");

        Assert.Equal(layout.RootDigest, pushed);
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("skopeo/multi", "v1"));
        var output = fixture.NewDirectory("out");
        await _skopeo.CopyAsync("docker://" + reference, $"oci:{output}:v1", "--all");
        ImageAssert.LayoutEqualsLayout(layout, OciLayoutReader.Read(output, "v1"));
    }

    [Fact]
    public async Task Skopeo_copies_only_the_chosen_platform_out_of_a_multi_arch_index()
    {
        var layout = fixture.MultiArchLayout("skopeo-arch");
        var reference = fixture.Ref("skopeo/arch");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path, "--all");
        var arm64 = layout.ImageFor("arm64");

        var inspect = await _skopeo.InspectAsync(reference, "--override-arch", "arm64");
        var output = fixture.NewDirectory("out");
        await _skopeo.CopyAsync("docker://" + reference, $"oci:{output}:v1", "--override-arch", "arm64");

        using var json = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(arm64.LayerDigests, json.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString() ?? string.Empty).ToList());
        var copied = OciLayoutReader.Read(output, "v1");
        Assert.Equal(arm64.ManifestDigest, copied.Root.Digest);
        Assert.Equal(new[] { arm64.ManifestDigest }.Concat(arm64.BlobDigests).Order(StringComparer.Ordinal), copied.AllDigests.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Skopeo_converts_a_multi_arch_index_to_a_docker_manifest_list_with_all_platforms()
    {
        var layout = fixture.MultiArchLayout("skopeo-list");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("skopeo/list"), fixture.Temp.Path, "--all", "--format", "v2s2");

        var served = await fixture.Http.GetImageAsync("skopeo/list", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(OciLayoutMediaTypes.DockerManifestList, served.Root.ContentType);
        var layerDigests = served.Blobs.Keys.Intersect(layout.Images.SelectMany(i => i.LayerDigests)).Count();
        Assert.Equal(4, layerDigests);
    }

    [Fact]
    public async Task Skopeo_copies_an_image_between_repositories_of_the_registry_byte_for_byte()
    {
        var layout = fixture.SingleArchLayout("skopeo-between");
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("skopeo/between-a"), fixture.Temp.Path);

        var pushed = await _skopeo.PushAsync("docker://" + fixture.Ref("skopeo/between-a"), fixture.Ref("skopeo/between-b"), fixture.Temp.Path);

        Assert.Equal(layout.RootDigest, pushed);
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("skopeo/between-b", "v1"));
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("skopeo/between-a", "v1"));
    }

    [Fact]
    public async Task Skopeo_lists_every_tag_of_a_repository()
    {
        var layout = fixture.SingleArchLayout("skopeo-tags");
        foreach (var tag in new[] { "v1", "v2", "latest" })
        {
            await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("skopeo/tags", tag), fixture.Temp.Path);
        }

        var result = await _skopeo.RunCheckedAsync("list-tags", "--tls-verify=false", $"docker://{fixture.Authority}/skopeo/tags");

        using var json = JsonDocument.Parse(result.Stdout);
        var tags = json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()).Order().ToList();
        Assert.True(tags.SequenceEqual(["latest", "v1", "v2"]), $"tags were [{string.Join(", ", tags)}]\n{result.Describe()}");
    }

    [Fact]
    public async Task Skopeo_lists_all_of_several_hundred_tags()
    {
        var layout = fixture.SingleArchLayout("skopeo-many-tags");
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("skopeo/many-tags"), fixture.Temp.Path);
        var expected = Enumerable.Range(0, 300).Select(i => $"t{i:D3}").Append("v1").Order(StringComparer.Ordinal).ToList();
        foreach (var tag in expected.Where(t => t != "v1"))
        {
            await fixture.Http.PutManifestAsync("skopeo/many-tags", tag, layout.RootBytes, layout.RootMediaType);
        }

        var result = await _skopeo.RunCheckedAsync("list-tags", "--tls-verify=false", $"docker://{fixture.Authority}/skopeo/many-tags");

        using var json = JsonDocument.Parse(result.Stdout);
        var tags = json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString() ?? string.Empty).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, tags);
    }

    [Fact]
    public async Task Skopeo_delete_removes_the_manifest_so_a_pull_fails()
    {
        var layout = fixture.SingleArchLayout("skopeo-delete");
        var reference = fixture.Ref("skopeo/delete");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);

        await _skopeo.RunCheckedAsync("delete", "--tls-verify=false", "docker://" + reference);

        Assert.Equal(HttpStatusCode.NotFound, await fixture.Http.ManifestStatusAsync("skopeo/delete", "v1"));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.Http.ManifestStatusAsync("skopeo/delete", layout.RootDigest));
        var pull = await _skopeo.RunAsync("copy", "--src-tls-verify=false", "docker://" + reference, $"oci:{fixture.NewDirectory("out")}:v1");
        Assert.False(pull.Succeeded, "pulling a deleted image succeeded:\n" + pull.Describe());
        Assert.Contains("manifest unknown", pull.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Skopeo_inspect_reports_the_pushed_digest_platform_layers_and_raw_bytes()
    {
        var layout = fixture.SingleArchLayout("skopeo-inspect", "arm64");
        var reference = fixture.Ref("skopeo/inspect");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);

        var inspect = await _skopeo.InspectAsync(reference);
        using var json = JsonDocument.Parse(inspect.Stdout);
        var root = json.RootElement;
        Assert.Equal(layout.RootDigest, root.GetProperty("Digest").GetString());
        Assert.Equal("arm64", root.GetProperty("Architecture").GetString());
        Assert.Equal("linux", root.GetProperty("Os").GetString());
        Assert.Equal(layout.Image.LayerDigests, root.GetProperty("Layers").EnumerateArray().Select(l => l.GetString() ?? string.Empty).ToList());
        var raw = await _skopeo.InspectAsync(reference, "--raw");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(layout.RootBytes), raw.Stdout.TrimEnd('\n'));
        var config = await _skopeo.InspectAsync(reference, "--config", "--raw");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(layout.Image.ConfigBytes), config.Stdout.TrimEnd('\n'));
    }
}
