using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary><c>GET /api/image/{name}?reference=</c> for every kind of manifest, with auth off.</summary>
public sealed class ApiImageTests
{
    [Fact]
    public async Task An_OCI_image_shows_manifest_config_history_and_layers()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = OciLayoutBuilder.CreateImage("image-oci");
        await registry.PushAsync("team/app", image, "v1");

        var details = await server.Client.JsonAsync("/api/image/team/app?reference=v1");

        Assert.Equal("team/app", details.GetProperty("name").GetString());
        Assert.Equal("v1", details.GetProperty("reference").GetString());
        Assert.Equal(image.ManifestDigest, details.GetProperty("digest").GetString());
        Assert.Equal(MediaTypes.OciManifest, details.GetProperty("mediaType").GetString());
        Assert.Equal(JsonValueKind.Null, details.GetProperty("artifactType").ValueKind);
        Assert.Equal(ApiTagsTests.TotalSize(image), details.GetProperty("size").GetInt64());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(image.ManifestBytes), JsonNode.Parse(details.GetProperty("manifest").GetRawText())));
        Assert.Empty(details.GetProperty("platforms").EnumerateArray());
        Assert.Equal(0, details.GetProperty("pullCount").GetInt64());

        var config = details.GetProperty("config");
        Assert.Equal("2024-01-01T00:00:00Z", config.GetProperty("created").GetString());
        Assert.Equal("linux", config.GetProperty("os").GetString());
        Assert.Equal("amd64", config.GetProperty("architecture").GetString());
        Assert.Empty(config.GetProperty("entrypoint").EnumerateArray());
        Assert.Equal(["/app/hello"], config.GetProperty("cmd").Strings());
        Assert.Equal(["PATH=/usr/local/bin:/usr/bin:/bin"], config.GetProperty("env").Strings());
        Assert.Equal("image-oci/linux/amd64", config.GetProperty("labels").GetProperty("org.example.wharf.test").GetString());

        var history = details.GetProperty("history");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Equal("Wharf test image builder: layer 1 of image-oci/linux/amd64", history[0].GetProperty("createdBy").GetString());
        Assert.Equal([0, 1], history.EnumerateArray().Select(h => h.GetProperty("layerIndex").GetInt32()));

        var layers = details.GetProperty("layers");
        Assert.Equal(image.Layers.Select(l => l.Digest), layers.EnumerateArray().Select(l => l.GetProperty("digest").GetString()));
        Assert.Equal(image.Layers.Select(l => (long)l.Compressed.Length), layers.EnumerateArray().Select(l => l.GetProperty("size").GetInt64()));
        Assert.Equal([0, 1], layers.EnumerateArray().Select(l => l.GetProperty("index").GetInt32()));
        Assert.All(layers.EnumerateArray(), l => Assert.Equal(MediaTypes.OciLayerGzip, l.GetProperty("mediaType").GetString()));

        var byDigest = await server.Client.JsonAsync($"/api/image/team/app?reference={image.ManifestDigest}");
        Assert.Equal(image.ManifestDigest, byDigest.GetProperty("digest").GetString());
    }

    /// <summary>A config blob escaping a lone surrogate ("\ud800") cannot be read as strings: the page shows no config, not a 500.</summary>
    [Fact]
    public async Task A_config_escaping_a_lone_surrogate_shows_no_config_rather_than_failing()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("team/app", TestBlobs.Config(author: "\\ud800"), MediaTypes.OciConfig);
        using var put = await registry.PutManifestAsync("team/app", "v1", ManifestJson.Image(config, []));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var details = await server.Client.JsonAsync("/api/image/team/app?reference=v1");

        Assert.Equal(JsonValueKind.Null, details.GetProperty("config").ValueKind);
    }

    [Fact]
    public async Task A_Docker_schema2_image_maps_empty_history_steps_to_no_layer()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var configBytes = Encoding.UTF8.GetBytes("""
            {"architecture":"arm","variant":"v7","os":"linux","created":"2025-06-07T08:09:10.123456789Z","author":"Wharf tests",
             "config":{"Entrypoint":["/bin/server","--flag"],"Cmd":["serve"],"Env":["A=1","B=2"],"WorkingDir":"/srv","User":"1000:1000",
                       "ExposedPorts":{"8080/tcp":{},"9090/udp":{}},"Labels":{"b":"2","a":"1"}},
             "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
             "history":[{"created":"2025-06-07T08:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:abc in /"},
                        {"created_by":"/bin/sh -c #(nop)  ENV A=1","empty_layer":true,"comment":"env"},
                        {"created_by":"/bin/sh -c make install"}]}
            """);
        var config = await registry.PushDescriptorAsync("team/docker", configBytes, MediaTypes.DockerConfig);
        Descriptor[] layers =
        [
            await registry.PushDescriptorAsync("team/docker", TestBlobs.Random(300), MediaTypes.DockerLayer),
            await registry.PushDescriptorAsync("team/docker", TestBlobs.Random(400), MediaTypes.DockerLayer),
        ];
        var manifest = ManifestJson.Image(config, layers, mediaType: MediaTypes.DockerManifest);
        var digest = await registry.PushManifestAsync("team/docker", "v1", manifest, MediaTypes.DockerManifest);

        var details = await server.Client.JsonAsync("/api/image/team/docker?reference=v1");

        Assert.Equal(digest, details.GetProperty("digest").GetString());
        Assert.Equal(MediaTypes.DockerManifest, details.GetProperty("mediaType").GetString());
        Assert.Equal(manifest.Length + configBytes.Length + 700, details.GetProperty("size").GetInt64());
        var c = details.GetProperty("config");
        Assert.Equal("2025-06-07T08:09:10.1234568Z", c.GetProperty("created").GetString());
        Assert.Equal("Wharf tests", c.GetProperty("author").GetString());
        Assert.Equal("arm", c.GetProperty("architecture").GetString());
        Assert.Equal(["/bin/server", "--flag"], c.GetProperty("entrypoint").Strings());
        Assert.Equal(["serve"], c.GetProperty("cmd").Strings());
        Assert.Equal(["A=1", "B=2"], c.GetProperty("env").Strings());
        Assert.Equal("/srv", c.GetProperty("workingDir").GetString());
        Assert.Equal("1000:1000", c.GetProperty("user").GetString());
        Assert.Equal(["8080/tcp", "9090/udp"], c.GetProperty("exposedPorts").Strings());
        Assert.Equal("""{"a":"1","b":"2"}""", c.GetProperty("labels").GetRawText());

        var history = details.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(3, history.Count);
        Assert.Equal(0, history[0].GetProperty("layerIndex").GetInt32());
        Assert.False(history[0].GetProperty("emptyLayer").GetBoolean());
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("layerIndex").ValueKind);
        Assert.True(history[1].GetProperty("emptyLayer").GetBoolean());
        Assert.Equal("env", history[1].GetProperty("comment").GetString());
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("created").ValueKind);
        Assert.Equal(1, history[2].GetProperty("layerIndex").GetInt32());
        Assert.Equal("/bin/sh -c make install", history[2].GetProperty("createdBy").GetString());
        Assert.Equal([300L, 400L], details.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("size").GetInt64()));
    }

    [Theory]
    [InlineData(MediaTypes.OciIndex)]
    [InlineData(MediaTypes.DockerManifestList)]
    public async Task An_index_lists_its_platforms_with_their_sizes(string mediaType)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        OciImage[] images = [OciLayoutBuilder.CreateImage("image-index", "amd64"), OciLayoutBuilder.CreateImage("image-index", "arm64")];
        foreach (var image in images)
        {
            await registry.PushAsync("team/multi", image);
        }

        var index = ManifestJson.Index(
            images.Select(i => new Descriptor(MediaTypes.OciManifest, i.ManifestDigest, i.ManifestBytes.Length) { Platform = ("linux", i.Architecture) }),
            mediaType: mediaType);
        var digest = await registry.PushManifestAsync("team/multi", "latest", index, mediaType);

        var details = await server.Client.JsonAsync("/api/image/team/multi?reference=latest");

        Assert.Equal(digest, details.GetProperty("digest").GetString());
        Assert.Equal(mediaType, details.GetProperty("mediaType").GetString());
        Assert.Equal(index.Length + images.Sum(ApiTagsTests.TotalSize), details.GetProperty("size").GetInt64());
        Assert.Equal(JsonValueKind.Null, details.GetProperty("config").ValueKind);
        Assert.Empty(details.GetProperty("layers").EnumerateArray());
        Assert.Empty(details.GetProperty("history").EnumerateArray());
        var platforms = details.GetProperty("platforms").EnumerateArray().ToList();
        Assert.Equal(2, platforms.Count);
        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal("linux", platforms[i].GetProperty("os").GetString());
            Assert.Equal(images[i].Architecture, platforms[i].GetProperty("architecture").GetString());
            Assert.Equal(JsonValueKind.Null, platforms[i].GetProperty("variant").ValueKind);
            Assert.Equal(images[i].ManifestDigest, platforms[i].GetProperty("digest").GetString());
            Assert.Equal(ApiTagsTests.TotalSize(images[i]), platforms[i].GetProperty("size").GetInt64());
        }
    }

    [Fact]
    public async Task An_artifact_shows_its_artifact_type_and_blobs_but_no_config_and_referrers_are_listed()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = OciLayoutBuilder.CreateImage("image-referred");
        var imageDigest = await registry.PushAsync("team/signed", image, "v1");
        var subject = new Descriptor(MediaTypes.OciManifest, imageDigest, image.ManifestBytes.Length);

        await registry.PushBlobAsync("team/signed", Encoding.UTF8.GetBytes("{}"));
        var sbom = await registry.PushDescriptorAsync("team/signed", Encoding.UTF8.GetBytes("""{"spdxVersion":"SPDX-2.3"}"""), "application/spdx+json");
        var sbomManifest = ManifestJson.Image(Descriptor.EmptyJson, [sbom], subject, artifactType: "application/spdx+json",
            annotations: new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2026-01-02T03:04:05Z" });
        var sbomDigest = await registry.PushManifestAsync("team/signed", Digests.Sha256(sbomManifest), sbomManifest);
        var signature = await registry.PushDescriptorAsync("team/signed", TestBlobs.Random(64), "application/vnd.dev.cosign.simplesigning.v1+json");
        var signatureManifest = ManifestJson.Image(Descriptor.EmptyJson, [signature], subject, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json");
        var signatureDigest = await registry.PushManifestAsync("team/signed", Digests.Sha256(signatureManifest), signatureManifest);

        var details = await server.Client.JsonAsync("/api/image/team/signed?reference=v1");
        var referrers = details.GetProperty("referrers").EnumerateArray().ToDictionary(r => r.GetProperty("digest").GetString()!);
        Assert.Equal(2, referrers.Count);
        Assert.Equal("application/spdx+json", referrers[sbomDigest].GetProperty("artifactType").GetString());
        Assert.Equal(MediaTypes.OciManifest, referrers[sbomDigest].GetProperty("mediaType").GetString());
        Assert.Equal(sbomManifest.Length, referrers[sbomDigest].GetProperty("size").GetInt64());
        Assert.Equal("2026-01-02T03:04:05Z", referrers[sbomDigest].GetProperty("annotations").GetProperty("org.opencontainers.image.created").GetString());
        Assert.Equal("application/vnd.dev.sigstore.bundle.v0.3+json", referrers[signatureDigest].GetProperty("artifactType").GetString());

        var artifact = await server.Client.JsonAsync($"/api/image/team/signed?reference={sbomDigest}");
        Assert.Equal("application/spdx+json", artifact.GetProperty("artifactType").GetString());
        Assert.Equal(JsonValueKind.Null, artifact.GetProperty("config").ValueKind);
        Assert.Empty(artifact.GetProperty("history").EnumerateArray());
        var blob = Assert.Single(artifact.GetProperty("layers").EnumerateArray());
        Assert.Equal(sbom.Digest, blob.GetProperty("digest").GetString());
        Assert.Equal("application/spdx+json", blob.GetProperty("mediaType").GetString());
        Assert.Equal(sbomManifest.Length + 2 + sbom.Size, artifact.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task An_artifact_told_apart_only_by_its_config_media_type_has_that_as_artifact_type()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("team/chart", Encoding.UTF8.GetBytes("""{"name":"chart","version":"1.0.0"}"""), "application/vnd.cncf.helm.config.v1+json");
        var chart = await registry.PushDescriptorAsync("team/chart", TestBlobs.Random(500), "application/vnd.cncf.helm.chart.content.v1.tar+gzip");
        await registry.PushManifestAsync("team/chart", "1.0.0", ManifestJson.Image(config, [chart]));

        var details = await server.Client.JsonAsync("/api/image/team/chart?reference=1.0.0");

        Assert.Equal("application/vnd.cncf.helm.config.v1+json", details.GetProperty("artifactType").GetString());
        Assert.Equal(JsonValueKind.Null, details.GetProperty("config").ValueKind);
        Assert.Single(details.GetProperty("layers").EnumerateArray());
    }

    [Fact]
    public async Task Unknown_references_and_repositories_are_404_and_a_missing_reference_400()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushAsync("team/app", OciLayoutBuilder.CreateImage("image-unknown"), "v1");

        Assert.Equal("MANIFEST_UNKNOWN", (await server.Client.JsonAsync("/api/image/team/app?reference=v2", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("MANIFEST_UNKNOWN", (await server.Client.JsonAsync($"/api/image/team/app?reference={Digests.Sha256(TestBlobs.Random(8))}", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("MANIFEST_UNKNOWN", (await server.Client.JsonAsync("/api/image/team/app?reference=-bad-", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("NAME_UNKNOWN", (await server.Client.JsonAsync("/api/image/team/none?reference=v1", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("UNSUPPORTED", (await server.Client.JsonAsync("/api/image/team/app", HttpStatusCode.BadRequest)).FirstErrorCode());
    }
}
