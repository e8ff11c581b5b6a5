using System.Net;
using System.Text.Json.Nodes;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ManifestTypesTests
{
    private static async Task AssertServedAsAsync(Registry registry, string repository, string reference, byte[] manifest, string mediaType)
    {
        using var get = await registry.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(mediaType, Expect.Header(get, "Content-Type"));
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(Digests.Sha256(manifest), Expect.Header(get, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task Oci_index_of_two_platform_images()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var amd64 = await registry.PushImageAsync("app");
        var arm64 = await registry.PushImageAsync("app");
        var index = ManifestJson.Index([
            amd64.Descriptor with { Platform = ("linux", "amd64") },
            arm64.Descriptor with { Platform = ("linux", "arm64") },
        ]);

        await registry.PushManifestAsync("app", "multi", index, MediaTypes.OciIndex);

        await AssertServedAsAsync(registry, "app", "multi", index, MediaTypes.OciIndex);
    }

    [Fact]
    public async Task Nested_index()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");
        var inner = ManifestJson.Index([image.Descriptor with { Platform = ("linux", "amd64") }]);
        var innerDigest = await registry.PushManifestAsync("app", Digests.Sha256(inner), inner, MediaTypes.OciIndex);
        var outer = ManifestJson.Index([new Descriptor(MediaTypes.OciIndex, innerDigest, inner.Length)]);

        await registry.PushManifestAsync("app", "nested", outer, MediaTypes.OciIndex);

        await AssertServedAsAsync(registry, "app", "nested", outer, MediaTypes.OciIndex);
    }

    [Fact]
    public async Task Docker_schema2_manifest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.DockerConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(300), MediaTypes.DockerLayer);
        var manifest = ManifestJson.Image(config, [layer], mediaType: MediaTypes.DockerManifest);

        using var put = await registry.PutManifestAsync("app", "docker", manifest, MediaTypes.DockerManifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsAsync(registry, "app", "docker", manifest, MediaTypes.DockerManifest);
    }

    [Fact]
    public async Task Docker_manifest_list()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.DockerConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(300), MediaTypes.DockerLayer);
        var manifest = ManifestJson.Image(config, [layer], mediaType: MediaTypes.DockerManifest);
        var digest = await registry.PushManifestAsync("app", Digests.Sha256(manifest), manifest, MediaTypes.DockerManifest);
        var list = ManifestJson.Index([new Descriptor(MediaTypes.DockerManifest, digest, manifest.Length) { Platform = ("linux", "amd64") }], mediaType: MediaTypes.DockerManifestList);

        using var put = await registry.PutManifestAsync("app", "list", list, MediaTypes.DockerManifestList);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsAsync(registry, "app", "list", list, MediaTypes.DockerManifestList);
    }

    [Fact]
    public async Task Artifact_with_artifact_type_and_empty_config()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var payload = await registry.PushDescriptorAsync("app", TestBlobs.Text("sbom"), "application/spdx+json");
        var manifest = ManifestJson.Image(Descriptor.EmptyJson, [payload], artifactType: "application/vnd.example.sbom.v1");

        await registry.PushManifestAsync("app", "sbom", manifest);

        await AssertServedAsAsync(registry, "app", "sbom", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Artifact_with_a_custom_config_media_type()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Text("NHL Peanut Butter on my NHL bagel"), "application/vnd.nhl.peanut.butter.bagel");
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var manifest = ManifestJson.Image(config, [Descriptor.EmptyJson]);

        await registry.PushManifestAsync("app", "bagel", manifest);

        await AssertServedAsAsync(registry, "app", "bagel", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Manifest_without_media_type_field_and_without_layers()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, [], mediaType: null);

        using var put = await registry.PutManifestAsync("app", "emptylayer", manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsAsync(registry, "app", "emptylayer", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Unknown_fields_data_field_and_nulls_are_accepted_and_kept()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var configBytes = TestBlobs.Config();
        var config = await registry.PushDescriptorAsync("app", configBytes, MediaTypes.OciConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(100), MediaTypes.OciLayerGzip);
        var configJson = config.ToJson();
        configJson["data"] = Convert.ToBase64String(configBytes);
        configJson["newUnspecifiedField"] = "aGVsbG8gd29ybGQ=";
        var layerJson = layer.ToJson();
        layerJson["newUnspecifiedField"] = null;
        var document = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = configJson,
            ["layers"] = new JsonArray(layerJson),
            ["x-custom"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) },
        };
        var manifest = ManifestJson.Serialize(document);

        await registry.PushManifestAsync("app", "custom", manifest);

        await AssertServedAsAsync(registry, "app", "custom", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Non_distributable_layers_need_not_be_pushed()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(100), MediaTypes.OciLayerGzip);
        var foreignDigest = Digests.Unknown();
        var foreign = new Descriptor(MediaTypes.OciLayerNonDistributableGzip, foreignDigest, 123456)
        {
            Urls = ["https://store.example.com/blobs/sha256/" + Digests.Hex(foreignDigest)],
        };
        var manifest = ManifestJson.Image(config, [foreign, layer]);

        using var put = await registry.PutManifestAsync("app", "nondist", manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsAsync(registry, "app", "nondist", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Index_with_artifact_type_annotations_and_custom_fields()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");
        var index = ManifestJson.Index([image.Descriptor], artifactType: "application/vnd.food.stand",
            annotations: new Dictionary<string, string> { ["org.opencontainers.conformance.test"] = "test index" });

        await registry.PushManifestAsync("app", "stand", index, MediaTypes.OciIndex);

        await AssertServedAsAsync(registry, "app", "stand", index, MediaTypes.OciIndex);
    }

    [Fact]
    public async Task Manifest_larger_than_a_few_kilobytes_but_under_the_limit()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var annotations = Enumerable.Range(0, 3000).ToDictionary(i => $"org.example.key{i}", i => new string('v', 1000));
        var manifest = ManifestJson.Image(config, [], annotations: annotations);
        Assert.InRange(manifest.Length, 3_000_000, 4 * 1024 * 1024 - 1);

        using var put = await registry.PutManifestAsync("app", "big", manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsAsync(registry, "app", "big", manifest, MediaTypes.OciManifest);
    }

    [Fact]
    public async Task Tag_names_at_the_edges_of_the_grammar()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");
        var tags = new[] { "_", "A", "0", "v1.2.3-rc_1", new string('t', 128), "UPPER.lower-_." };

        foreach (var tag in tags)
        {
            await registry.PushManifestAsync("app", tag, image.Manifest);
            await AssertServedAsAsync(registry, "app", tag, image.Manifest, MediaTypes.OciManifest);
        }

        Assert.Equal(tags.Order(StringComparer.Ordinal), (await registry.TagsAsync("app")).Order(StringComparer.Ordinal));
    }
}
