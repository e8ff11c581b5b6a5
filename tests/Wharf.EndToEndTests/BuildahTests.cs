using System.Text;
using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>buildah 1.28 (vfs storage of its own) building images from scratch and pushing them.</summary>
public sealed class BuildahTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task Buildah_pushes_an_image_built_from_scratch_and_the_registry_serves_its_files()
    {
        var buildah = ContainersStorageClient.Buildah(fixture.NewDirectory("buildah"), fixture.RegistryLog);
        var local = await BuildAsync(buildah, "buildah-single", "amd64");

        var pushed = await buildah.RunWithDigestFileAsync(["push", "--tls-verify=false"], local, "docker://" + fixture.Ref("buildah/single"));

        var served = await fixture.Http.GetImageAsync("buildah/single", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(OciLayoutMediaTypes.OciManifest, served.Root.ContentType);
        var layer = OciLayoutReader.References(served.Root.Bytes).Skip(1).Single();
        var files = OciLayoutLayerTar.ReadFiles(served.Blobs[layer.Digest]);
        Assert.Equal("built by buildah for buildah-single/amd64\n", Encoding.UTF8.GetString(files["app/hello.txt"]));
    }

    [Fact]
    public async Task Buildah_manifest_push_all_uploads_the_index_and_every_image_in_it()
    {
        var buildah = ContainersStorageClient.Buildah(fixture.NewDirectory("buildah"), fixture.RegistryLog);
        var amd64 = await BuildAsync(buildah, "buildah-list", "amd64");
        var arm64 = await BuildAsync(buildah, "buildah-list", "arm64");
        await buildah.RunCheckedAsync("manifest", "create", "localhost/buildah-list:v1");
        await buildah.RunCheckedAsync("manifest", "add", "localhost/buildah-list:v1", "containers-storage:" + amd64);
        await buildah.RunCheckedAsync("manifest", "add", "localhost/buildah-list:v1", "containers-storage:" + arm64);

        var pushed = await buildah.RunWithDigestFileAsync(
            ["manifest", "push", "--all", "--tls-verify=false"], "localhost/buildah-list:v1", "docker://" + fixture.Ref("buildah/list"));

        var served = await fixture.Http.GetImageAsync("buildah/list", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.True(OciLayoutMediaTypes.IsIndex(served.Root.ContentType), served.Root.ContentType);
        using var index = JsonDocument.Parse(served.Root.Bytes);
        var architectures = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform").GetProperty("architecture").GetString())
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(["amd64", "arm64"], architectures);
    }

    /// <summary>from scratch + copy + config + commit; returns the local image name.</summary>
    private async Task<string> BuildAsync(ContainersStorageClient buildah, string label, string architecture)
    {
        var context = fixture.NewDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "hello.txt"), $"built by buildah for {label}/{architecture}\n");
        var container = (await buildah.RunCheckedAsync("from", "scratch")).Stdout.Trim();
        await buildah.RunCheckedAsync("copy", container, Path.Combine(context, "hello.txt"), "/app/hello.txt");
        await buildah.RunCheckedAsync("config", "--arch", architecture, "--os", "linux", "--cmd", "/app/hello.txt", container);
        var name = $"localhost/{label}-{architecture}:v1";
        await buildah.RunCheckedAsync("commit", container, name);
        await buildah.RunCheckedAsync("rm", container);
        return name;
    }
}
