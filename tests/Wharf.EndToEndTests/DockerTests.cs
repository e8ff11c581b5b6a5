using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>A real Docker engine (dockerd 20.10) and the docker CLI against the registry.</summary>
public sealed partial class DockerTests : IClassFixture<RegistryFixture>, IClassFixture<DockerEngineFixture>
{
    private readonly RegistryFixture _registry;
    private readonly DockerCli _docker;
    private readonly Skopeo _skopeo;

    public DockerTests(RegistryFixture registry, DockerEngineFixture engine)
    {
        _registry = registry;
        _docker = new DockerCli(engine, registry.RegistryLog);
        _skopeo = new Skopeo(registry.RegistryLog);
    }

    [Fact]
    public async Task Docker_pushes_a_loaded_image_as_schema2_and_pulls_it_back_with_the_same_digest()
    {
        var layout = _registry.SingleArchLayout("docker-push");
        var reference = _registry.Ref("docker/loaded");

        var pushed = await LoadTagAndPushAsync(layout, reference);

        var served = await _registry.Http.GetImageAsync("docker/loaded", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(OciLayoutMediaTypes.DockerManifest, served.Root.ContentType);
        ImageAssert.SameFilesystem(layout.Image, served);
        await _docker.RunAsync("rmi", reference);
        var pulled = await _docker.PullAsync(reference);
        Assert.Equal(pushed, pulled);
        var image = await _docker.InspectImageAsync(reference);
        Assert.Contains($"{_registry.Authority}/docker/loaded@{pushed}", image.GetProperty("RepoDigests").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(layout.Image.DiffIds, DiffIds(image));
    }

    [Fact]
    public async Task Docker_pulls_an_oci_image_pushed_by_skopeo_with_the_same_digest_config_and_layers()
    {
        var layout = _registry.SingleArchLayout("docker-pull");
        var reference = _registry.Ref("docker/oci");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, _registry.Temp.Path);
        var mark = BlobDeliveryAssert.Mark(_registry.Registry);

        var pulled = await _docker.PullAsync(reference);

        BlobDeliveryAssert.PulledAsConfigured(_registry.Registry, mark, layout.Image.BlobDigests);
        Assert.Equal(layout.RootDigest, pulled);
        var image = await _docker.InspectImageAsync(reference);
        Assert.Equal(layout.Image.ConfigDigest, image.GetProperty("Id").GetString());
        Assert.Equal(layout.Image.DiffIds, DiffIds(image));
    }

    [Fact]
    public async Task Docker_pushes_a_pulled_image_to_another_repository_with_the_same_layer_blobs()
    {
        var layout = _registry.SingleArchLayout("docker-repush");
        var sourceRef = _registry.Ref("docker/repush-source");
        var target = _registry.Ref("docker/repush-target");
        await _skopeo.PushAsync(layout.SkopeoReference, sourceRef, _registry.Temp.Path, "--format", "v2s2");
        await _docker.PullAsync(sourceRef);
        await _docker.RunAsync("tag", sourceRef, target);

        var pushed = await _docker.PushAsync(target);

        var served = await _registry.Http.GetImageAsync("docker/repush-target", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        ImageAssert.SameLayerBlobs(layout.Image, served);
        ImageAssert.SameFilesystem(layout.Image, served);
        var source = await _registry.Http.GetManifestAsync("docker/repush-source", "v1");
        Assert.Equal(OciLayoutReader.References(source.Bytes)[0].Digest, OciLayoutReader.References(served.Root.Bytes)[0].Digest);
    }

    [Fact]
    public async Task Docker_pulls_the_amd64_image_of_a_multi_arch_index_by_the_index_digest()
    {
        var layout = _registry.MultiArchLayout("docker-multi");
        var reference = _registry.Ref("docker/multi");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, _registry.Temp.Path, "--all");

        var pulled = await _docker.PullAsync(_registry.Ref("docker/multi", layout.RootDigest));

        Assert.Equal(layout.RootDigest, pulled);
        var image = await _docker.InspectImageAsync(_registry.Ref("docker/multi", layout.RootDigest));
        Assert.Equal(layout.ImageFor("amd64").ConfigDigest, image.GetProperty("Id").GetString());
        Assert.Equal(layout.ImageFor("amd64").DiffIds, DiffIds(image));
    }

    [Fact]
    public async Task Docker_manifest_push_creates_a_list_from_two_pushed_images()
    {
        var amd64 = _registry.SingleArchLayout("docker-list", "amd64");
        var arm64 = _registry.SingleArchLayout("docker-list", "arm64");
        var amd64Digest = await LoadTagAndPushAsync(amd64, _registry.Ref("docker/list-amd64"));
        var arm64Digest = await LoadTagAndPushAsync(arm64, _registry.Ref("docker/list-arm64"));
        var list = _registry.Ref("docker/list");
        await _docker.RunAsync("manifest", "create", "--insecure", list, _registry.Ref("docker/list-amd64"), _registry.Ref("docker/list-arm64"));

        var push = await _docker.RunAsync("manifest", "push", "--insecure", list);

        var pushed = ListDigest().Match(push.Stdout).Value;
        var served = await _registry.Http.GetImageAsync("docker/list", "v1");
        Assert.Equal(pushed, served.Root.Digest);
        Assert.Equal(OciLayoutMediaTypes.DockerManifestList, served.Root.ContentType);
        using var index = JsonDocument.Parse(served.Root.Bytes);
        var children = index.RootElement.GetProperty("manifests").EnumerateArray()
            .ToDictionary(m => m.GetProperty("platform").GetProperty("architecture").GetString() ?? string.Empty, m => m.GetProperty("digest").GetString());
        Assert.Equal(amd64Digest, children["amd64"]);
        Assert.Equal(arm64Digest, children["arm64"]);
        Assert.Equal(2, children.Count);
        var inspect = await _docker.RunAsync("manifest", "inspect", "--insecure", list);
        using var inspected = JsonDocument.Parse(inspect.Stdout);
        var inspectedDigests = inspected.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("digest").GetString() ?? string.Empty)
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[] { amd64Digest, arm64Digest }.Order(StringComparer.Ordinal), inspectedDigests);
        Assert.Equal(pushed, await _docker.PullAsync(list));
    }

    /// <summary>
    /// skopeo turns the layout into a docker-archive, which <c>docker load</c> reads under a local
    /// name; <c>docker tag</c> names it for the registry and <c>docker push</c> uploads it.
    /// </summary>
    private async Task<string> LoadTagAndPushAsync(OciLayout layout, string reference)
    {
        var localName = $"wharf-e2e/{layout.Images[0].Architecture}-{Guid.NewGuid():N}:v1";
        var archive = Path.Combine(_registry.NewDirectory("archive"), "image.tar");
        await _skopeo.CopyAsync(layout.SkopeoReference, $"docker-archive:{archive}:{localName}");
        await _docker.RunAsync("load", "--input", archive);
        await _docker.RunAsync("tag", localName, reference);
        await _docker.RunAsync("rmi", localName);
        return await _docker.PushAsync(reference);
    }

    private static List<string> DiffIds(JsonElement image) =>
        [.. image.GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString() ?? string.Empty)];

    [GeneratedRegex("sha256:[0-9a-f]{64}", RegexOptions.RightToLeft)]
    private static partial Regex ListDigest();
}
