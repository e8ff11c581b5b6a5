using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class BlobPullTests
{
    [Fact]
    public async Task Get_existing_blob_returns_its_bytes_with_digest_length_etag_and_accept_ranges()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(1000);
        var digest = await registry.PushBlobAsync("library/app", blob);

        using var response = await registry.GetAsync($"/v2/library/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, Expect.Header(response, "Docker-Content-Digest"));
        Assert.Equal(1000, response.Content.Headers.ContentLength);
        Assert.Contains(digest, Expect.Header(response, "ETag"), StringComparison.Ordinal);
        Assert.Equal("bytes", Expect.Header(response, "Accept-Ranges"));
    }

    [Fact]
    public async Task Head_existing_blob_returns_headers_and_no_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(777);
        var digest = await registry.PushBlobAsync("app", blob);

        using var response = await registry.HeadAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(digest, Expect.Header(response, "Docker-Content-Digest"));
        Assert.Equal(777, response.Content.Headers.ContentLength);
        Assert.Contains(digest, Expect.Header(response, "ETag"), StringComparison.Ordinal);
        Assert.Equal("bytes", Expect.Header(response, "Accept-Ranges"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_missing_blob_is_404_BLOB_UNKNOWN_and_head_is_404()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", TestBlobs.Random(10));
        var missing = Digests.Unknown();

        using var get = await registry.GetAsync($"/v2/app/blobs/{missing}");
        await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using var head = await registry.HeadAsync($"/v2/app/blobs/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Get_blob_in_a_repository_that_does_not_exist_is_404()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var get = await registry.GetAsync($"/v2/nobody/here/blobs/{Digests.Unknown()}");

        await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN", "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Blob_pushed_to_one_repository_is_not_served_from_another()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("team/a", TestBlobs.Random(64));
        await registry.PushBlobAsync("team/b", TestBlobs.Random(64));

        using var get = await registry.GetAsync($"/v2/team/b/blobs/{digest}");

        await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Theory]
    [InlineData("bytes=500-1499", 500, 1499)]
    [InlineData("bytes=500-", 500, 2047)]
    [InlineData("bytes=-500", 1548, 2047)]
    [InlineData("bytes=2000-5000", 2000, 2047)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=2047-2047", 2047, 2047)]
    public async Task Single_range_request_answers_206_with_content_range(string range, int first, int last)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(2048);
        var digest = await registry.PushBlobAsync("app", blob);

        using var response = await registry.GetAsync($"/v2/app/blobs/{digest}", r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/2048", Expect.Header(response, "Content-Range"));
        Assert.Equal(last - first + 1, response.Content.Headers.ContentLength);
        Assert.Equal(blob[first..(last + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=5000-10000")]
    [InlineData("bytes=2048-")]
    [InlineData("bytes=500-0")]
    public async Task Unsatisfiable_range_answers_416(string range)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("app", TestBlobs.Random(2048));

        using var response = await registry.GetAsync($"/v2/app/blobs/{digest}", r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */2048", Expect.Header(response, "Content-Range"));
    }

    [Fact]
    public async Task Sha512_blob_is_served_under_its_sha512_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(300);
        var digest = Digests.Sha512(blob);
        await registry.PushBlobAsync("app", blob, digest);

        using var response = await registry.GetAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(digest, Expect.Header(response, "Docker-Content-Digest"));
        Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Empty_blob_is_served_with_length_zero()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", []);

        using var head = await registry.HeadAsync($"/v2/app/blobs/{Digests.EmptySha256}");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(0, head.Content.Headers.ContentLength);
        Assert.Equal(Digests.EmptySha256, Expect.Header(head, "Docker-Content-Digest"));

        using var get = await registry.GetAsync($"/v2/app/blobs/{Digests.EmptySha256}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
    }
}
