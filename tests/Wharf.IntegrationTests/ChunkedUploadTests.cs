using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ChunkedUploadTests
{
    private static Task<HttpResponseMessage> PatchAsync(Registry registry, string location, byte[] chunk, long start)
        => registry.SendAsync(HttpMethod.Patch, location, chunk, MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + chunk.Length - 1}"));

    [Fact]
    public async Task Two_chunks_then_put_without_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(42);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var first = await PatchAsync(registry, location, blob[..22], 0);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0-21", Expect.Header(first, "Range"));
        using var second = await PatchAsync(registry, Expect.Location(first), blob[22..], 22);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("0-41", Expect.Header(second, "Range"));
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(second), digest), [], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", Expect.LocationPath(put));
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Final_chunk_sent_with_the_closing_put()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var first = await PatchAsync(registry, location, blob[..1024], 0);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await PatchAsync(registry, Expect.Location(first), blob[1024..2048], 1024);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("0-2047", Expect.Header(second, "Range"));
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(second), digest), blob[2048..], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "2048-2999"));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Out_of_order_first_chunk_is_416()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(42);
        var location = await registry.StartUploadAsync("app");

        using var response = await PatchAsync(registry, location, blob[22..], 22);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
    }

    [Fact]
    public async Task Repeated_chunk_is_416_and_status_still_reports_the_first_chunk()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(42);
        var digest = Digests.Sha256(blob);
        var postLocation = await registry.StartUploadAsync("app");

        using var first = await PatchAsync(registry, postLocation, blob[..22], 0);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0-21", Expect.Header(first, "Range"));

        // the conformance suite replays the chunk against the POST Location, not the PATCH one
        using var retry = await PatchAsync(registry, postLocation, blob[..22], 0);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, retry.StatusCode);

        using var status = await registry.GetAsync(postLocation);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-21", Expect.Header(status, "Range"));
        var statusLocation = Expect.Location(status);

        using var second = await PatchAsync(registry, statusLocation, blob[22..], 22);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(second), digest), [], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Chunk_skipping_ahead_is_416_and_leaves_the_session_usable()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3072);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var first = await PatchAsync(registry, location, blob[..1024], 0);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var skip = await PatchAsync(registry, Expect.Location(first), blob[2048..], 2048);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, skip.StatusCode);

        using var status = await registry.GetAsync(Expect.Location(first));
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-1023", Expect.Header(status, "Range"));
        using var second = await PatchAsync(registry, Expect.Location(status), blob[1024..2048], 1024);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(second), digest), blob[2048..], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "2048-3071"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Out_of_order_final_chunk_in_put_is_416()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3072);
        var location = await registry.StartUploadAsync("app");
        using var first = await PatchAsync(registry, location, blob[..1024], 0);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(first), Digests.Sha256(blob)), blob[2048..], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "2048-3071"));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Fact]
    public async Task Three_chunks_with_a_sha512_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(5000);
        var digest = Digests.Sha512(blob);
        var location = await registry.StartUploadAsync("app");

        for (var start = 0; start < blob.Length; start += 2000)
        {
            var chunk = blob[start..Math.Min(start + 2000, blob.Length)];
            using var patch = await PatchAsync(registry, location, chunk, start);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{start + chunk.Length - 1}", Expect.Header(patch, "Range"));
            location = Expect.Location(patch);
        }

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), [], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Post_reports_a_sane_minimum_chunk_length_if_any()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var post = await registry.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/", [], null);

        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var min = Expect.OptionalHeader(post, "OCI-Chunk-Min-Length");
        if (min is not null)
        {
            Assert.True(long.TryParse(min, out var value) && value > 0, $"OCI-Chunk-Min-Length '{min}'");
        }
    }
}
