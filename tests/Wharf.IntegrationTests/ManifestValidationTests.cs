using System.Net;
using System.Text;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ManifestValidationTests
{
    private static async Task AssertNotStoredAsync(Registry registry, string repository, string tag, byte[] manifest)
    {
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync(repository, tag));
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync(repository, Digests.Sha256(manifest)));
    }

    [Fact]
    public async Task Missing_config_blob_is_MANIFEST_BLOB_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(100), MediaTypes.OciLayerGzip);
        var manifest = ManifestJson.Image(Descriptor.For(MediaTypes.OciConfig, TestBlobs.Config()), [layer]);

        using var put = await registry.PutManifestAsync("app", "v1", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        await AssertNotStoredAsync(registry, "app", "v1", manifest);
    }

    [Fact]
    public async Task Missing_layer_blob_is_MANIFEST_BLOB_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, [Descriptor.For(MediaTypes.OciLayerGzip, TestBlobs.Random(100))]);

        using var put = await registry.PutManifestAsync("app", "v1", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        await AssertNotStoredAsync(registry, "app", "v1", manifest);
    }

    [Fact]
    public async Task Index_with_a_missing_child_manifest_is_rejected()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");
        var index = ManifestJson.Index([image.Descriptor, new Descriptor(MediaTypes.OciManifest, Digests.Unknown(), 500)]);

        using var put = await registry.PutManifestAsync("app", "multi", index, MediaTypes.OciIndex);

        // Wharf's issue asks for MANIFEST_UNKNOWN; the OCI spec says MANIFEST_BLOB_UNKNOWN. Either is accepted here.
        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_UNKNOWN", "MANIFEST_BLOB_UNKNOWN");
        await AssertNotStoredAsync(registry, "app", "multi", index);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", ")]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"config\": 42, \"layers\": []}")]
    [InlineData("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"config\": {\"mediaType\": \"a/b\", \"digest\": \"nope\", \"size\": 1}, \"layers\": []}")]
    [InlineData("{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"config\": {\"mediaType\": \"a/b\", \"digest\": \"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\", \"size\": -5}, \"layers\": []}")]
    public async Task Malformed_manifest_is_400_MANIFEST_INVALID(string body)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var manifest = Encoding.UTF8.GetBytes(body);

        using var put = await registry.PutManifestAsync("app", "bad", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", "bad"));
    }

    /// <summary>Found by fuzzing: invalid UTF-8 inside a JSON string made the push a 500.</summary>
    [Fact]
    public async Task A_manifest_with_invalid_utf8_in_a_string_is_400_MANIFEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, [], annotations: new Dictionary<string, string> { ["note"] = "BROKEN" });
        var at = manifest.AsSpan().IndexOf("BROKEN"u8);
        manifest[at] = 0xFF;

        using var put = await registry.PutManifestAsync("app", "bad", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        await AssertNotStoredAsync(registry, "app", "bad", manifest);
    }

    /// <summary>
    /// Found by fuzzing: a lone surrogate escape is valid JSON but no string can hold it; stored, it made the image API a
    /// 500 (and in a field the parser reads, the push itself).
    /// </summary>
    [Fact]
    public async Task A_manifest_escaping_a_lone_surrogate_is_400_MANIFEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(ManifestJson.Image(config, [], annotations: new Dictionary<string, string> { ["note"] = "SURROGATE" }))
            .Replace("SURROGATE", "\\ud800", StringComparison.Ordinal));

        using var put = await registry.PutManifestAsync("app", "bad", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        await AssertNotStoredAsync(registry, "app", "bad", manifest);
    }

    [Fact]
    public async Task Media_type_field_disagreeing_with_content_type_is_MANIFEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);

        using var put = await registry.PutManifestAsync("app", "v1", manifest, MediaTypes.DockerManifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        await AssertNotStoredAsync(registry, "app", "v1", manifest);
    }

    [Fact]
    public async Task Index_pushed_as_image_manifest_is_MANIFEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");
        var index = ManifestJson.Index([image.Descriptor]);

        using var put = await registry.PutManifestAsync("app", "v1", index, MediaTypes.OciManifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Theory]
    [InlineData(MediaTypes.DockerSchema1)]
    [InlineData(MediaTypes.DockerSchema1Signed)]
    public async Task Docker_schema1_is_refused_with_a_json_error(string contentType)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"architecture\":\"amd64\",\"fsLayers\":[{\"blobSum\":\"" + Digests.EmptySha256 + "\"}],\"history\":[{\"v1Compatibility\":\"{}\"}]}");

        using var put = await registry.PutManifestAsync("app", "v1", manifest, contentType);

        await Expect.ClientErrorAsync(put);
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", "v1"));
    }

    [Fact]
    public async Task Manifest_over_4_MiB_is_413()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var annotations = new Dictionary<string, string> { ["pad"] = new string('x', 4 * 1024 * 1024) };
        var manifest = ManifestJson.Image(config, [], annotations: annotations);

        using var put = await registry.PutManifestAsync("app", "huge", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.RequestEntityTooLarge, "MANIFEST_INVALID", "SIZE_INVALID");
        await AssertNotStoredAsync(registry, "app", "huge", manifest);
    }

    [Fact]
    public async Task Manifest_size_limit_is_configurable()
    {
        await using var server = await WharfTestServer.StartAsync(Settings.Of(("Manifests:MaxSize", "1024")));
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var small = ManifestJson.Image(config, []);
        var large = ManifestJson.Image(config, [], annotations: new Dictionary<string, string> { ["pad"] = new string('x', 2000) });
        Assert.True(small.Length < 1024);

        using var ok = await registry.PutManifestAsync("app", "small", small);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var tooBig = await registry.PutManifestAsync("app", "large", large);
        await Expect.ErrorAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "MANIFEST_INVALID", "SIZE_INVALID");
        await AssertNotStoredAsync(registry, "app", "large", large);
    }

    [Fact]
    public async Task Put_by_digest_whose_body_does_not_match_is_400_DIGEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);
        var digest = Digests.Sha256(manifest);
        var tampered = manifest.Concat("  "u8.ToArray()).ToArray();

        using var put = await registry.PutManifestAsync("app", digest, tampered);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", digest));
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", Digests.Sha256(tampered)));
    }

    [Fact]
    public async Task Put_to_a_malformed_digest_reference_is_400()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);

        using var put = await registry.PutManifestAsync("app", "sha256:baddigeststring", manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID", "MANIFEST_INVALID", "TAG_INVALID");
        using var get = await registry.GetAsync("/v2/app/manifests/sha256:baddigeststring");
        await Expect.ErrorAsync(get, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], "DIGEST_INVALID", "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task Subject_pointing_at_a_missing_manifest_is_accepted_with_OCI_Subject()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var subject = new Descriptor(MediaTypes.OciManifest, Digests.Unknown(), 1234);
        var manifest = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject, artifactType: "application/vnd.example.sig");

        using var put = await registry.PutManifestAsync("app", Digests.Sha256(manifest), manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(subject.Digest, Expect.Header(put, "OCI-Subject"));
    }

    [Fact]
    public async Task Manifest_without_subject_gets_no_OCI_Subject_header()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);

        using var put = await registry.PutManifestAsync("app", "v1", ManifestJson.Image(config, []));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Null(Expect.OptionalHeader(put, "OCI-Subject"));
    }
}
