using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// What pushes and pulls cost in requests to the store, counted on the server's own S3 client: a small streamed commit,
/// a redirected GET of a known blob, and a chunked push whose chunks are never copied before the commit.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class S3RoundTripTests
{
    [Fact]
    public async Task A_small_streamed_commit_costs_at_most_three_requests_to_the_store()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var server = await WharfTestServer.StartAsync(backend.Settings);
        var registry = new Registry(server);
        var layer = TestBlobs.Random(4096);
        var digest = Digests.Sha256(layer);
        var location = await registry.StartUploadAsync("rt/app");
        using (var patch = await registry.SendAsync(HttpMethod.Patch, location, layer, MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.OriginalString;
        }

        var requests = Count(server);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), []);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.True(WithoutSweeps(requests).Count <= 3, "requests: " + string.Join(", ", requests));
        Assert.Equal(layer, await registry.GetBlobBytesAsync("rt/app", digest));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData((6 * 1024 * 1024) + 1)]
    public async Task A_redirected_GET_of_a_known_blob_asks_the_store_nothing(int size)
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Blobs:Delivery"] = "Redirect";
        await using var server = await WharfTestServer.StartAsync(settings);
        var registry = new Registry(server);
        var blob = TestBlobs.Random(size);
        var digest = await registry.PushBlobAsync("rt/app", blob);
        using var http = new HttpClient();
        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };

        for (var i = 0; i < 3; i++)
        {
            var requests = Count(server);
            using var get = await noFollow.GetAsync($"/v2/rt/app/blobs/{digest}");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
            var asked = WithoutSweeps(requests);
            Assert.True(i == 0 ? asked.Count <= 1 : asked.Count == 0, $"GET {i}: " + string.Join(", ", requests));
            Assert.Equal(blob, await http.GetByteArrayAsync(get.Headers.Location));
        }
    }

    [Fact]
    public async Task A_push_in_chunks_with_a_retried_chunk_is_stored_byte_exact_and_its_chunks_are_copied_once()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var server = await WharfTestServer.StartAsync(backend.Settings);
        var registry = new Registry(server);
        const int Chunk = 6 * 1024 * 1024;
        var blob = TestBlobs.Random((5 * Chunk) + 1234);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("rt/app");
        for (var offset = 0; offset < blob.Length; offset += Chunk)
        {
            var length = Math.Min(Chunk, blob.Length - offset);
            location = await PatchAsync(registry, location, blob, offset, length);
            if (offset == 2 * Chunk)
            {
                // A client that lost the answer sends the same chunk again: refused, and the upload is unchanged.
                using var again = await registry.SendAsync(HttpMethod.Patch, location, blob[offset..(offset + length)], MediaTypes.OctetStream, r => ContentRange(r, offset, length));
                Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, again.StatusCode);
            }
        }

        var copies = Count(server);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), []);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Single(copies, r => r == nameof(Amazon.S3.Model.InitiateMultipartUploadRequest));
        // Each chunk copied once, in one part (a part copies up to CopyPartSize, 256 MiB by default).
        Assert.Equal(6, copies.Count(r => r == nameof(Amazon.S3.Model.CopyPartRequest)));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("rt/app", digest));
    }

    private static async Task<string> PatchAsync(Registry registry, string location, byte[] blob, int offset, int length)
    {
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[offset..(offset + length)], MediaTypes.OctetStream, r => ContentRange(r, offset, length));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        return patch.Headers.Location!.OriginalString;
    }

    private static void ContentRange(HttpRequestMessage request, int offset, int length) =>
        request.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");

    /// <summary>
    /// The requests less listings: neither a commit nor a GET lists, and listings in the window are the upload and GC
    /// sweeps, which run on their own schedule from the start (loaded and fresh CI runs caught them in both tests).
    /// </summary>
    private static List<string> WithoutSweeps(IEnumerable<string> requests) =>
        requests.Where(r => r != nameof(Amazon.S3.Model.ListObjectsV2Request)).ToList();

    /// <summary>The names of the SDK requests the server's S3 client sends from now on.</summary>
    private static ConcurrentQueue<string> Count(WharfTestServer server)
    {
        var requests = new ConcurrentQueue<string>();
        var client = (AmazonServiceClient)server.Services.GetRequiredService<S3Driver>().ClientForTests;
        client.BeforeRequestEvent += (_, e) => requests.Enqueue(e is WebServiceRequestEventArgs w ? w.Request?.GetType().Name ?? "?" : "?");
        return requests;
    }
}
