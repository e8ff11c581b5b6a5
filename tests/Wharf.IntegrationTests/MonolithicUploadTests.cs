using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class MonolithicUploadTests
{
    [Fact]
    public async Task Single_post_with_digest_creates_the_blob()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(1234);
        var digest = Digests.Sha256(blob);

        using var response = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={digest}", blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", Expect.LocationPath(response));
        Assert.Equal(digest, Expect.Header(response, "Docker-Content-Digest"));
        using var get = await registry.GetAsync(Expect.Location(response));
        Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Post_opens_a_session_and_put_with_the_body_completes_it()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(4096);
        var digest = Digests.Sha256(blob);

        using var post = await registry.SendAsync(HttpMethod.Post, "/v2/library/app/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = Expect.Location(post);
        Assert.StartsWith("/v2/library/app/blobs/uploads/", Expect.LocationPath(post), StringComparison.Ordinal);
        Assert.True(Expect.LocationPath(post).Length > "/v2/library/app/blobs/uploads/".Length, "Location carries no session id");

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/library/app/blobs/{digest}", Expect.LocationPath(put));
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("library/app", digest));
    }

    [Fact]
    public async Task Each_post_opens_a_distinct_session()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        var first = await registry.StartUploadAsync("app");
        var second = await registry.StartUploadAsync("app");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Pushing_an_existing_blob_again_is_201()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var digest = await registry.PushBlobAsync("app", blob);

        var location = await registry.StartUploadAsync("app");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Sha512_blob_pushed_with_post_then_put_without_digest_algorithm()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(2000);
        var digest = Digests.Sha512(blob);

        var location = await registry.StartUploadAsync("app");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Sha512_blob_pushed_with_digest_algorithm_parameter()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(2000);
        var digest = Digests.Sha512(blob);

        var location = await registry.StartUploadAsync("app", "?digest-algorithm=sha512");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Sha512_blob_pushed_with_a_single_post()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(2000);
        var digest = Digests.Sha512(blob);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={digest}", blob, MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal(digest, Expect.Header(post, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Empty_blob_with_a_single_post()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={Digests.EmptySha256}", [], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await registry.BlobStatusAsync("app", Digests.EmptySha256));
    }

    [Fact]
    public async Task Empty_blob_with_post_then_put_without_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        var location = await registry.StartUploadAsync("app");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.EmptySha256), [], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(Digests.EmptySha256, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Empty(await registry.GetBlobBytesAsync("app", Digests.EmptySha256));
    }

    [Fact]
    public async Task Empty_json_blob_round_trips()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        var digest = await registry.PushBlobAsync("app", "{}"u8.ToArray());

        Assert.Equal(Digests.EmptyJsonSha256, digest);
        Assert.Equal("{}"u8.ToArray(), await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Upload_to_a_new_nested_repository_creates_it()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(32);

        var digest = await registry.PushBlobAsync("a/b/c/d-e_f.g", blob);

        Assert.Equal(blob, await registry.GetBlobBytesAsync("a/b/c/d-e_f.g", digest));
    }
}
