using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>podman 4 (vfs storage of its own) pulling from and pushing to the registry.</summary>
public sealed class PodmanTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Podman_pulls_an_image_by_tag_and_by_digest_with_the_pushed_manifest_digest_and_layers()
    {
        var layout = fixture.SingleArchLayout("podman-pull");
        var reference = fixture.Ref("podman/pull");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);
        var mark = BlobDeliveryAssert.Mark(fixture.Registry);

        await podman.RunCheckedAsync("pull", "--tls-verify=false", reference);

        BlobDeliveryAssert.PulledAsConfigured(fixture.Registry, mark, layout.Image.BlobDigests);
        var inspect = await podman.RunCheckedAsync("image", "inspect", reference);
        using var json = JsonDocument.Parse(inspect.Stdout);
        var image = json.RootElement[0];
        Assert.Equal(layout.RootDigest, image.GetProperty("Digest").GetString());
        Assert.Contains($"{fixture.Authority}/podman/pull@{layout.RootDigest}", image.GetProperty("RepoDigests").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(layout.Image.DiffIds, image.GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(d => d.GetString() ?? string.Empty).ToList());
        Assert.Equal("amd64", image.GetProperty("Architecture").GetString());
        var byDigest = fixture.Ref("podman/pull", layout.RootDigest);
        await podman.RunCheckedAsync("rmi", reference);
        await podman.RunCheckedAsync("pull", "--tls-verify=false", byDigest);
        var again = await podman.RunCheckedAsync("image", "inspect", "--format", "{{.Digest}} {{.ID}}", byDigest);
        Assert.Equal($"{layout.RootDigest} {OciLayoutDigests.Hex(layout.Image.ConfigDigest)}", again.Stdout.Trim());
    }

    [Fact]
    public async Task Podman_pulls_the_arm64_image_of_a_multi_arch_index()
    {
        var layout = fixture.MultiArchLayout("podman-arch");
        var reference = fixture.Ref("podman/arch");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path, "--all");
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);

        await podman.RunCheckedAsync("pull", "--tls-verify=false", "--arch", "arm64", reference);

        var inspect = await podman.RunCheckedAsync("image", "inspect", "--format", "{{.ID}} {{.Architecture}} {{.Digest}}", reference);
        var arm64 = layout.ImageFor("arm64");
        Assert.Equal($"{OciLayoutDigests.Hex(arm64.ConfigDigest)} arm64 {layout.RootDigest}", inspect.Stdout.Trim());
    }

    [Theory]
    [InlineData("oci", OciLayoutMediaTypes.OciManifest)]
    [InlineData("v2s2", OciLayoutMediaTypes.DockerManifest)]
    public async Task Podman_pushes_a_pulled_image_and_the_registry_serves_exactly_what_it_pushed(string format, string mediaType)
    {
        var layout = fixture.SingleArchLayout("podman-push-" + format);
        var source = fixture.Ref("podman/source-" + format);
        var destination = fixture.Ref("podman/pushed-" + format);
        await _skopeo.PushAsync(layout.SkopeoReference, source, fixture.Temp.Path);
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);
        await podman.RunCheckedAsync("pull", "--tls-verify=false", source);
        await podman.RunCheckedAsync("tag", source, destination);

        var pushed = await podman.RunWithDigestFileAsync(["push", "--tls-verify=false", "--format", format], destination);

        var served = await fixture.Http.GetImageAsync("podman/pushed-" + format, "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(mediaType, served.Root.ContentType);
        ImageAssert.SameFilesystem(layout.Image, served);
        var fresh = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);
        await fresh.RunCheckedAsync("pull", "--tls-verify=false", destination);
        var inspect = await fresh.RunCheckedAsync("image", "inspect", "--format", "{{.Digest}}", destination);
        Assert.Equal(pushed, inspect.Stdout.Trim());
    }

    [Fact]
    public async Task Podman_search_lists_repositories_and_tags_of_the_registry()
    {
        var layout = fixture.SingleArchLayout("podman-search");
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("search/findme-alpha", "v1"), fixture.Temp.Path);
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("search/findme-alpha", "v2"), fixture.Temp.Path);
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("search/other"), fixture.Temp.Path);
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);

        var search = await podman.RunCheckedAsync("search", "--tls-verify=false", "--format", "{{.Name}}", $"{fixture.Authority}/findme");
        var tags = await podman.RunCheckedAsync("search", "--tls-verify=false", "--list-tags", $"{fixture.Authority}/search/findme-alpha");

        Assert.Equal([$"{fixture.Authority}/search/findme-alpha"], Lines(search.Stdout));
        // --list-tags prints a NAME/TAG table (it ignores --format)
        var listed = Lines(tags.Stdout).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.All(listed, row => Assert.Equal($"{fixture.Authority}/search/findme-alpha", row[0]));
        Assert.Equal(["v1", "v2"], listed.Select(row => row[^1]).Order(StringComparer.Ordinal));
    }

    private static List<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
