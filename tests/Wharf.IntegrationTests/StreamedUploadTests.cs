using System.Net;
using System.Net.Http.Headers;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class StreamedUploadTests
{
    /// <summary>A read-only stream of unknown length, so HttpClient sends Transfer-Encoding: chunked like docker does.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task Patch_without_content_range_then_put_without_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(42);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal("0-41", Expect.Header(patch, "Range"));
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), digest), [], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", Expect.LocationPath(put));
        Assert.Equal(digest, Expect.Header(put, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Patch_with_chunked_transfer_encoding_like_docker()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(300_000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var request = new HttpRequestMessage(HttpMethod.Patch, registry.Resolve(location));
        request.Content = new StreamContent(new UnseekableStream(blob));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OctetStream);
        request.Headers.TransferEncodingChunked = true;
        using var patch = await registry.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{blob.Length - 1}", Expect.Header(patch, "Range"));

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), digest), [], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Several_streamed_patches_append()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        foreach (var (start, end) in new[] { (0, 1000), (1000, 2500), (2500, 3000) })
        {
            using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[start..end], MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{end - 1}", Expect.Header(patch, "Range"));
            location = Expect.Location(patch);
        }

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), [], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Streamed_patch_then_put_with_the_rest_of_the_body()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(2000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");

        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..1500], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), digest), blob[1500..], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }
}
