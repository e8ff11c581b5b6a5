using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;
using Xunit.Abstractions;

namespace Wharf.IntegrationTests.Huge;

/// <summary>
/// Blobs beyond S3's 5 GiB single-request limits (PutObject, CopyObject, one part copy) through Wharf on S3 + PostgreSQL:
/// pushed in large chunks and monolithically, published without a copy, pulled back through a presigned redirect and
/// checked by a streaming hash. Nothing is held in memory. Needs an object store that can hold about 12 GiB: test.sh's
/// Ceph cluster runs a bluestore OSD on a sparse file (a memstore OSD is capped at 4 GiB). Run alone with
/// <c>--filter Category=HugeBlob</c>; test.sh runs it as a step of its own.
/// </summary>
[Trait("Category", "HugeBlob")]
public sealed class HugeBlobTests(ITestOutputHelper output)
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long Size = (5 * GiB) + (100 * 1024 * 1024); // 5.1 GiB

    [Fact]
    public async Task A_blob_over_5_GiB_pushed_in_large_chunks_and_one_pushed_whole_come_back_intact_through_redirects()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Blobs:Delivery"] = "Redirect";
        await using var server = await WharfTestServer.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var clock = Stopwatch.StartNew();

        var chunked = await PushInChunksAsync(http, "huge/chunked", seed: 1, [GiB, Size - GiB]);
        Phase(clock, "chunked push (PATCH 1 GiB, PATCH 4.1 GiB, PUT)");
        var whole = GeneratedStream.Digest(Size, seed: 2);
        Phase(clock, "digest of the monolithic blob");
        await PushWholeAsync(http, "huge/whole", seed: 2, whole);
        Phase(clock, "monolithic push (POST ?digest=)");

        Assert.Equal(chunked, await PullThroughRedirectAsync(http, "huge/chunked", chunked));
        Phase(clock, "pull of the chunked blob through its redirect");
        Assert.Equal(whole, await PullThroughRedirectAsync(http, "huge/whole", whole));
        Phase(clock, "pull of the monolithic blob through its redirect");
        await AssertOneDataObjectAsync(backend, chunked);
        await AssertOneDataObjectAsync(backend, whole);
    }

    /// <summary>PATCHes with Content-Range, then a PUT without a body; the digest is computed while the bytes stream out.</summary>
    private static async Task<string> PushInChunksAsync(HttpClient http, string repository, int seed, long[] chunks)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        var offset = 0L;
        foreach (var length in chunks)
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location)
            {
                Content = Body(new GeneratedStream(offset + length, seed, offset, hash), length),
            };
            Assert.True(patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}"));
            using var patched = await http.SendAsync(patch);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
            location = patched.Headers.Location!.OriginalString;
            offset += length;
        }

        var digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        using var put = await http.PutAsync(Registry.PutUrl(location, digest), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    private static async Task PushWholeAsync(HttpClient http, string repository, int seed, string digest)
    {
        using var post = await http.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", Body(new GeneratedStream(Size, seed), Size));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
    }

    /// <summary>Checks Wharf answers the GET with a 307 to the bucket, then streams the presigned URL through a hash.</summary>
    private static async Task<string> PullThroughRedirectAsync(HttpClient http, string repository, string digest)
    {
        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = http.BaseAddress };
        using var redirect = await noFollow.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var url = redirect.Headers.Location!;
        Assert.StartsWith(TestEngines.S3Endpoint, url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains($"/{S3Driver.DataRoot}/", url.AbsolutePath, StringComparison.Ordinal);

        using var store = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        using var response = await store.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Size, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var sha = SHA256.Create();
        return "sha256:" + Convert.ToHexStringLower(await sha.ComputeHashAsync(body));
    }

    /// <summary>The blob's key holds a pointer naming one data object of the blob's full size: published, not copied.</summary>
    private static async Task AssertOneDataObjectAsync(ScaleOutBackend backend, string digest)
    {
        using var driver = new S3Driver(
            new S3StorageOptions { Endpoint = TestEngines.S3Endpoint, Bucket = ScaleOutBackend.Bucket, AccessKey = TestEngines.S3AccessKey, SecretKey = TestEngines.S3SecretKey },
            TimeProvider.System);
        var hex = digest["sha256:".Length..];
        var pointer = await driver.ClientForTests.GetObjectMetadataAsync(ScaleOutBackend.Bucket, $"{backend.Name}/blobs/sha256/{hex[..2]}/{hex}");
        var data = pointer.Metadata[S3Driver.DataMetadata];
        Assert.NotNull(data);
        var stored = await driver.ClientForTests.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = ScaleOutBackend.Bucket, Key = $"{backend.Name}/{data}" });
        Assert.Equal(Size, stored.ContentLength);
    }

    private static StreamContent Body(Stream stream, long length)
    {
        var content = new StreamContent(stream, 1024 * 1024);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private void Phase(Stopwatch clock, string what)
    {
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
    }
}
