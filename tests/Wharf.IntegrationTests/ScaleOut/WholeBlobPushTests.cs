using System.Net;
using System.Net.Http.Headers;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// On S3, a blob pushed whole (<c>POST ?digest=</c> with the body, or <c>POST</c> then <c>PUT ?digest=</c> with it) is
/// written straight to its digest's key, with no upload object to copy and delete; and nothing unverified ever lands there.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class WholeBlobPushTests
{
    private const int Large = (6 * 1024 * 1024) + 7;

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1000, true)]
    [InlineData(Large, false)]
    [InlineData(Large, true)]
    public async Task A_whole_blob_is_written_straight_to_its_digests_key(int size, bool postThenPut)
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var server = await WharfTestServer.StartAsync(backend.Settings);
        var registry = new Registry(server);
        var blob = TestBlobs.Random(size);
        var digest = Digests.Sha256(blob);

        string? session = null;
        if (postThenPut)
        {
            session = await registry.StartUploadAsync("whole/app");
            using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(session, digest), blob, MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        else
        {
            using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/whole/app/blobs/uploads/?digest={digest}", blob, MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        Assert.Equal(blob, await registry.GetBlobBytesAsync("whole/app", digest));
        var hex = digest["sha256:".Length..];
        var key = $"blobs/sha256/{hex[..2]}/{hex}";
        var keys = await KeysAsync(server, backend.Name);
        Assert.Equal(size < S3Driver.InlineLimit ? [key] : [$"{S3Driver.DataRoot}/{key}/", key], keys.Select(k => k.StartsWith(S3Driver.DataRoot, StringComparison.Ordinal) ? k[..^32] : k));
        if (session is not null)
        {
            using var status = await registry.GetAsync(session);
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1000, true)]
    [InlineData(Large, false)]
    [InlineData(Large, true)]
    public async Task A_whole_blob_that_does_not_match_its_digest_leaves_nothing_in_the_bucket(int size, bool postThenPut)
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var server = await WharfTestServer.StartAsync(backend.Settings);
        var registry = new Registry(server);
        var claimed = Digests.Sha256(TestBlobs.Random(size));
        var sent = TestBlobs.Random(size);

        using var response = postThenPut
            ? await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(await registry.StartUploadAsync("whole/app"), claimed), sent, MediaTypes.OctetStream)
            : await registry.SendAsync(HttpMethod.Post, $"/v2/whole/app/blobs/uploads/?digest={claimed}", sent, MediaTypes.OctetStream);

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("whole/app", claimed));
        Assert.Empty(await KeysAsync(server, backend.Name));
        Assert.Empty(await OpenUploadsAsync(server, backend.Name));
    }

    [Fact]
    public async Task A_whole_blob_whose_client_goes_away_mid_body_leaves_nothing_in_the_bucket()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var server = await WharfTestServer.StartAsync(backend.Settings);
        // Past the first 8 MiB part: a multipart upload of the data object is under way when the body breaks.
        var blob = TestBlobs.Random(12 * 1024 * 1024);
        var digest = Digests.Sha256(blob);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var content = new StreamContent(new BreaksAfter(blob, 11 * 1024 * 1024));
        content.Headers.ContentLength = blob.Length;
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OctetStream);

        var requests = new RequestRecorder();
        server.Services.GetRequiredService<ILoggerFactory>().AddProvider(requests);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsync($"/v2/whole/app/blobs/uploads/?digest={digest}", content));

        // The server notices the broken body and drops its writer, aborting the multipart upload it had begun, before
        // the request is over (and logged).
        for (var waited = 0; waited < 300 && !requests.All.Any(r => r.Method == "POST"); waited++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(requests.All, r => r.Method == "POST" && r.Path == "/v2/whole/app/blobs/uploads/");
        Assert.Empty(await KeysAsync(server, backend.Name));
        Assert.Empty(await OpenUploadsAsync(server, backend.Name));
        Assert.Equal(HttpStatusCode.NotFound, await new Registry(server).BlobStatusAsync("whole/app", digest));
    }

    private static IAmazonS3 Client(WharfTestServer server) => server.Services.GetRequiredService<S3Driver>().ClientForTests;

    private static async Task<List<string>> KeysAsync(WharfTestServer server, string prefix)
    {
        var listing = await Client(server).ListObjectsV2Async(new ListObjectsV2Request { BucketName = ScaleOutBackend.Bucket, Prefix = prefix + "/" });
        return [.. (listing.S3Objects ?? []).Select(o => o.Key[(prefix.Length + 1)..]).Order(StringComparer.Ordinal)];
    }

    private static async Task<List<MultipartUpload>> OpenUploadsAsync(WharfTestServer server, string prefix) =>
        (await Client(server).ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ScaleOutBackend.Bucket, Prefix = prefix + "/" })).MultipartUploads ?? [];

    /// <summary>A request body that sends its first bytes and then fails, as a client that goes away does.</summary>
    private sealed class BreaksAfter(byte[] content, int breakAt) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => content.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (_position >= breakAt)
            {
                throw new IOException("the client went away");
            }

            var n = Math.Min(buffer.Length, breakAt - _position);
            content.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
