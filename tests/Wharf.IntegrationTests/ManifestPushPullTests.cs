using System.Net;
using System.Text;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ManifestPushPullTests
{
    [Fact]
    public async Task Put_by_tag_is_201_with_location_and_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(100), MediaTypes.OciLayerGzip);
        var manifest = ManifestJson.Image(config, [layer]);
        var digest = Digests.Sha256(manifest);

        using var put = await registry.PutManifestAsync("app", "v1", manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        var location = Expect.LocationPath(put);
        Assert.Contains(location, new[] { $"/v2/app/manifests/{digest}", "/v2/app/manifests/v1" });
        using var get = await registry.GetAsync(Expect.Location(put));
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_by_tag_and_by_digest_serve_the_exact_bytes_and_content_type()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("library/app", "latest");

        foreach (var reference in new[] { "latest", image.Digest })
        {
            using var get = await registry.GetAsync($"/v2/library/app/manifests/{reference}", r => r.Headers.Add("Accept", MediaTypes.OciManifest));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(MediaTypes.OciManifest, Expect.Header(get, "Content-Type"));
            Assert.Equal(image.Manifest.Length, get.Content.Headers.ContentLength);
            Assert.Equal(image.Digest, Expect.Header(get, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Head_by_tag_and_by_digest_return_headers_without_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "latest");

        foreach (var reference in new[] { "latest", image.Digest })
        {
            using var head = await registry.HeadAsync($"/v2/app/manifests/{reference}", r =>
            {
                r.Headers.Add("Accept", MediaTypes.OciIndex);
                r.Headers.Add("Accept", MediaTypes.OciManifest);
            });
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(MediaTypes.OciManifest, Expect.Header(head, "Content-Type"));
            Assert.Equal(image.Manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(image.Digest, Expect.Header(head, "Docker-Content-Digest"));
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Manifest_with_odd_whitespace_and_key_order_is_stored_byte_exact()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var layer = await registry.PushDescriptorAsync("app", TestBlobs.Random(100), MediaTypes.OciLayerGzip);
        var text = "  {\"layers\" :[ {\"size\":" + layer.Size + ",   \"digest\":\"" + layer.Digest + "\",\"mediaType\":\"" + layer.MediaType + "\"}\t],\r\n"
            + "\"config\":{\"digest\":\"" + config.Digest + "\",\"size\":" + config.Size + ",\"mediaType\":\"" + config.MediaType + "\"},"
            + "\"annotations\":{\"z\":\"\\u00e9t\\u00e9\",\"a\":\"été\"},\n\n\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"schemaVersion\":2 }\n\n";
        var manifest = Encoding.UTF8.GetBytes(text);
        var digest = Digests.Sha256(manifest);

        using var put = await registry.PutManifestAsync("app", "odd", manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));

        foreach (var reference in new[] { "odd", digest })
        {
            using var get = await registry.GetAsync($"/v2/app/manifests/{reference}");
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(digest, Expect.Header(get, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Put_by_digest_is_201_and_creates_no_tag()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app");

        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("app", image.Digest));
        Assert.Empty(await registry.TagsAsync("app"));
    }

    [Fact]
    public async Task Sha512_manifest_pushed_by_sha512_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var configBytes = TestBlobs.Config();
        var layerBytes = TestBlobs.Random(128);
        await registry.PushBlobAsync("app", configBytes, Digests.Sha512(configBytes));
        await registry.PushBlobAsync("app", layerBytes, Digests.Sha512(layerBytes));
        var manifest = ManifestJson.Image(
            new Descriptor(MediaTypes.OciConfig, Digests.Sha512(configBytes), configBytes.Length),
            [new Descriptor(MediaTypes.OciLayerGzip, Digests.Sha512(layerBytes), layerBytes.Length)]);
        var digest = Digests.Sha512(manifest);

        using var put = await registry.PutManifestAsync("app", digest, manifest);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        using var get = await registry.GetAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, Expect.Header(get, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task Pushing_a_tag_again_moves_it_to_the_new_manifest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var first = await registry.PushImageAsync("app", "latest");
        var second = await registry.PushImageAsync("app", "latest");

        using var get = await registry.GetAsync("/v2/app/manifests/latest");

        Assert.Equal(second.Manifest, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("app", first.Digest));
        Assert.Equal(["latest"], await registry.TagsAsync("app"));
    }

    [Fact]
    public async Task Same_manifest_under_several_tags()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "test0");
        for (var i = 1; i < 4; i++)
        {
            await registry.PushManifestAsync("app", $"test{i}", image.Manifest);
        }

        Assert.Equal(["test0", "test1", "test2", "test3"], await registry.TagsAsync("app"));
        using var get = await registry.GetAsync("/v2/app/manifests/test3");
        Assert.Equal(image.Digest, Expect.Header(get, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task Pushing_the_same_manifest_twice_is_201_both_times()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "v1");

        using var again = await registry.PutManifestAsync("app", "v1", image.Manifest);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task Missing_manifest_is_404_MANIFEST_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "exists");

        foreach (var reference in new[] { "missing", Digests.Unknown() })
        {
            using var get = await registry.GetAsync($"/v2/app/manifests/{reference}");
            await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
            using var head = await registry.HeadAsync($"/v2/app/manifests/{reference}");
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
    }

    [Fact]
    public async Task Manifest_in_unknown_repository_is_404()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var get = await registry.GetAsync("/v2/never/pushed/manifests/latest");

        await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Manifest_of_one_repository_is_not_served_from_another()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("team/a", "v1");
        await registry.PushImageAsync("team/b", "v2");

        using var byDigest = await registry.GetAsync($"/v2/team/b/manifests/{image.Digest}");
        await Expect.ErrorAsync(byDigest, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byTag = await registry.GetAsync("/v2/team/b/manifests/v1");
        await Expect.ErrorAsync(byTag, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task Content_type_parameters_on_put_are_ignored()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);

        using var put = await registry.PutManifestAsync("app", "v1", manifest, MediaTypes.OciManifest + "; charset=utf-8");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await registry.GetAsync("/v2/app/manifests/v1");
        Assert.Equal(MediaTypes.OciManifest, get.Content.Headers.ContentType?.MediaType);
    }
}
