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
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"));

        await podman.RunCheckedAsync("pull", "--tls-verify=false", reference);

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

    [Theory]
    [InlineData("oci", OciLayoutMediaTypes.OciManifest)]
    [InlineData("v2s2", OciLayoutMediaTypes.DockerManifest)]
    public async Task Podman_pushes_a_pulled_image_and_the_registry_serves_exactly_what_it_pushed(string format, string mediaType)
    {
        var layout = fixture.SingleArchLayout("podman-push-" + format);
        var source = fixture.Ref("podman/source-" + format);
        var destination = fixture.Ref("podman/pushed-" + format);
        await _skopeo.PushAsync(layout.SkopeoReference, source, fixture.Temp.Path);
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"));
        await podman.RunCheckedAsync("pull", "--tls-verify=false", source);
        await podman.RunCheckedAsync("tag", source, destination);

        var pushed = await podman.RunWithDigestFileAsync(["push", "--tls-verify=false", "--format", format], destination);

        var served = await fixture.Http.GetImageAsync("podman/pushed-" + format, "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(mediaType, served.Root.ContentType);
        ImageAssert.SameFilesystem(layout.Image, served);
        var fresh = ContainersStorageClient.Podman(fixture.NewDirectory("pm"));
        await fresh.RunCheckedAsync("pull", "--tls-verify=false", destination);
        var inspect = await fresh.RunCheckedAsync("image", "inspect", "--format", "{{.Digest}}", destination);
        Assert.Equal(pushed, inspect.Stdout.Trim());
    }
}
