using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Pushes with <c>Storage:FileSystem:DirectWrites</c> on: whole, and in chunks that leave blocks half full, every byte comes back.</summary>
public sealed class DirectWritesUploadTests
{
    private const int MiB = 1024 * 1024;
    private static readonly Dictionary<string, string?> Direct = new() { ["Storage:FileSystem:DirectWrites"] = "true" };

    [Fact]
    public async Task A_large_blob_pushed_in_one_request_comes_back_intact()
    {
        await using var server = await WharfTestServer.StartAsync(Direct);
        var registry = new Registry(server);
        var blob = TestBlobs.Random((9 * MiB) + 3);

        var digest = await registry.PushBlobAsync("direct/whole", blob);

        Assert.Equal(blob, await registry.GetBlobBytesAsync("direct/whole", digest));
    }

    [Fact]
    public async Task A_large_blob_pushed_in_uneven_chunks_comes_back_intact()
    {
        await using var server = await WharfTestServer.StartAsync(Direct);
        var registry = new Registry(server);
        var blob = TestBlobs.Random((12 * MiB) + 5);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("direct/chunked");

        // The first chunk ends on a block boundary (the next continues direct), the second one byte past it (the third through the page cache).
        long start = 0;
        foreach (var length in new[] { 4 * MiB, (4 * MiB) + 1 })
        {
            var chunk = blob[(int)start..(int)(start + length)];
            using var patch = await registry.SendAsync(HttpMethod.Patch, location, chunk, MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}"));
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = Expect.Location(patch);
            start += length;
        }

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob[(int)start..], MediaTypes.OctetStream,
            r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{blob.Length - 1}"));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("direct/chunked", digest));
    }
}
