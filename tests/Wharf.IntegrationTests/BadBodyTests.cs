using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class BadBodyTests
{
    private static async Task AssertHealthyAsync(Registry registry)
    {
        using var ping = await registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var blob = TestBlobs.Random(1000);
        var digest = await registry.PushBlobAsync("health", blob);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("health", digest));
    }

    [Fact]
    public async Task Single_post_whose_body_does_not_match_the_digest_is_DIGEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var claimed = TestBlobs.Random(100);
        var sent = TestBlobs.Random(100);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={Digests.Sha256(claimed)}", sent, MediaTypes.OctetStream);

        await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(claimed)));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(sent)));
    }

    [Fact]
    public async Task Put_whose_body_does_not_match_the_digest_is_DIGEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var corrupted = blob.Concat("oh no"u8.ToArray()).ToArray();
        var location = await registry.StartUploadAsync("app");

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), corrupted, MediaTypes.OctetStream);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(corrupted)));
    }

    [Fact]
    public async Task Chunked_upload_closed_with_a_wrong_digest_is_DIGEST_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var location = await registry.StartUploadAsync("app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..2000], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-1999"));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), Digests.Sha256(blob)), blob[2000..2999], MediaTypes.OctetStream);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob[..2999])));
    }

    [Fact]
    public async Task Content_range_disagreeing_with_the_body_length_is_rejected_and_changes_nothing()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var location = await registry.StartUploadAsync("app");

        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..50], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-99"));

        await Expect.ErrorAsync(patch, [HttpStatusCode.BadRequest, HttpStatusCode.RequestedRangeNotSatisfiable], "SIZE_INVALID", "BLOB_UPLOAD_INVALID");
        using var status = await registry.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Contains(Expect.Header(status, "Range"), new[] { "0-0", "0--1" });
        using var good = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5-2")]
    [InlineData("-1-5")]
    public async Task Malformed_content_range_is_a_client_error(string contentRange)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var location = await registry.StartUploadAsync("app");

        using var patch = await registry.SendAsync(HttpMethod.Patch, location, TestBlobs.Random(10), MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", contentRange));

        await Expect.ErrorAsync(patch, [HttpStatusCode.BadRequest, HttpStatusCode.RequestedRangeNotSatisfiable]);
    }

    [Fact]
    public async Task Content_length_shorter_than_the_body_does_not_store_a_wrong_blob()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(20);
        var location = registry.Resolve(await registry.StartUploadAsync("app"));
        var target = Registry.PutUrl(location.PathAndQuery, Digests.Sha256(blob));

        var response = await RawHttp.SendAsync(server.BaseAddress, "PUT", target, blob, [("Content-Length", "10"), ("Content-Type", MediaTypes.OctetStream)]);

        Assert.True(response.Status == 400, $"expected 400 DIGEST_INVALID, got {response}");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob[..10])));
        await AssertHealthyAsync(registry);
    }

    [Fact]
    public async Task Client_disconnecting_during_a_monolithic_put_leaves_no_blob()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(1024 * 1024);
        var digest = Digests.Sha256(blob);
        var location = registry.Resolve(await registry.StartUploadAsync("app"));

        await RawHttp.SendTruncatedAsync(server.BaseAddress, "PUT", Registry.PutUrl(location.PathAndQuery, digest), blob.Length, blob[..65536]);
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", digest));
        await AssertHealthyAsync(registry);
        await registry.PushBlobAsync("app", blob);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Client_disconnecting_during_a_single_post_leaves_no_blob()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(1024 * 1024);
        var digest = Digests.Sha256(blob);

        await RawHttp.SendTruncatedAsync(server.BaseAddress, "POST", $"/v2/app/blobs/uploads/?digest={digest}", blob.Length, blob[..1000]);
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", digest));
        await AssertHealthyAsync(registry);
    }

    [Fact]
    public async Task Client_disconnecting_during_a_patch_cannot_be_completed_with_the_full_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(512 * 1024);
        var digest = Digests.Sha256(blob);
        var location = registry.Resolve(await registry.StartUploadAsync("app"));

        await RawHttp.SendTruncatedAsync(server.BaseAddress, "PATCH", location.PathAndQuery, blob.Length, blob[..100_000]);
        await Task.Delay(500);

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location.PathAndQuery, digest), [], MediaTypes.OctetStream);
        Assert.NotEqual(HttpStatusCode.Created, put.StatusCode);
        await Expect.ClientErrorAsync(put);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", digest));
        await AssertHealthyAsync(registry);
    }

    [Fact]
    public async Task Client_disconnecting_during_a_manifest_put_stores_nothing()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);

        await RawHttp.SendTruncatedAsync(server.BaseAddress, "PUT", "/v2/app/manifests/v1", manifest.Length, manifest[..(manifest.Length / 2)], MediaTypes.OciManifest);
        await Task.Delay(500);

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", "v1"));
        await AssertHealthyAsync(registry);
    }
}
