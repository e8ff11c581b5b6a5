using System.Net;
using Microsoft.Data.Sqlite;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// Small blobs pushed whole on filesystem + SQLite are kept in the database (docs/design/storage.md, "Small blobs"): no
/// file of their own, and every way of reading, pushing again or mounting them answers as for a file.
/// </summary>
public sealed class SmallBlobStorageTests
{
    private static Dictionary<string, string?> Local(int? inlineMaxBytes = null)
    {
        var settings = new Dictionary<string, string?> { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite" };
        if (inlineMaxBytes is { } max)
        {
            settings["Storage:InlineMaxBytes"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static string BlobFile(WharfTestServer server, string digest) =>
        Path.Combine(server.DataDirectory, "blobs", "sha256", digest[7..9], digest[7..]);

    private static long RowCount(WharfTestServer server)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "wharf.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM blob_bytes";
        return (long)count.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_small_blob_pushed_whole_has_no_file_and_pulls_heads_and_ranges_like_one()
    {
        await using var server = await WharfTestServer.StartAsync(Local());
        var registry = new Registry(server);
        var posted = TestBlobs.Random(4096);
        var postedDigest = Digests.Sha256(posted);
        using (var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={postedDigest}", posted, MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        var put = TestBlobs.Random(64 * 1024);
        var putDigest = await registry.PushBlobAsync("app", put); // POST, then PUT with the body: the limit itself

        Assert.False(File.Exists(BlobFile(server, postedDigest)));
        Assert.False(File.Exists(BlobFile(server, putDigest)));
        Assert.Equal(2, RowCount(server));
        Assert.Equal(posted, await registry.GetBlobBytesAsync("app", postedDigest));
        Assert.Equal(put, await registry.GetBlobBytesAsync("app", putDigest));
        using (var head = await registry.HeadAsync($"/v2/app/blobs/{postedDigest}"))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(4096, head.Content.Headers.ContentLength);
        }

        using (var range = await registry.GetAsync($"/v2/app/blobs/{postedDigest}", r => r.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal(posted[100..200], await range.Content.ReadAsByteArrayAsync());
        }

        // Mounted elsewhere, and pushed again chunked (as a file beside the row): the same bytes everywhere.
        using (var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/other/blobs/uploads/?mount={postedDigest}&from=app"))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        Assert.Equal(posted, await registry.GetBlobBytesAsync("other", postedDigest));
        var location = await registry.StartUploadAsync("third");
        using (var patch = await registry.SendAsync(HttpMethod.Patch, location, posted, MediaTypes.OctetStream))
        {
            location = Expect.Location(patch);
        }

        using (var commit = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, postedDigest)))
        {
            Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        }

        Assert.Equal(posted, await registry.GetBlobBytesAsync("third", postedDigest));
        Assert.Equal(posted, await registry.GetBlobBytesAsync("app", postedDigest));
    }

    [Fact]
    public async Task A_small_blob_sent_as_a_patch_then_an_empty_put_is_a_file()
    {
        // Its bytes arrive before the registry knows the upload is whole, and keeping them in the database at the commit
        // measured no faster than publishing the upload's file (docs/design/storage.md).
        await using var server = await WharfTestServer.StartAsync(Local());
        var registry = new Registry(server);
        var blob = TestBlobs.Random(5000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");
        using (var patch = await registry.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream))
        {
            location = Expect.Location(patch);
        }

        using (var commit = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest)))
        {
            Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        }

        Assert.True(File.Exists(BlobFile(server, digest)));
        Assert.Equal(0, RowCount(server));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task A_blob_over_the_limit_or_with_the_limit_at_zero_is_a_file()
    {
        await using (var server = await WharfTestServer.StartAsync(Local(1024)))
        {
            var registry = new Registry(server);
            var small = await registry.PushBlobAsync("app", TestBlobs.Random(1024));
            var large = await registry.PushBlobAsync("app", TestBlobs.Random(1025));
            Assert.False(File.Exists(BlobFile(server, small)));
            Assert.True(File.Exists(BlobFile(server, large)));
            Assert.Equal(1, RowCount(server));
        }

        await using (var server = await WharfTestServer.StartAsync(Local(0)))
        {
            var registry = new Registry(server);
            var digest = await registry.PushBlobAsync("app", TestBlobs.Random(10));
            Assert.True(File.Exists(BlobFile(server, digest)));
            Assert.Equal(0, RowCount(server));
        }
    }

    [Fact]
    public async Task A_small_blob_with_the_wrong_digest_leaves_nothing_behind()
    {
        await using var server = await WharfTestServer.StartAsync(Local());
        var registry = new Registry(server);
        var body = TestBlobs.Random(100);
        var wrong = Digests.Sha256(TestBlobs.Random(100));
        using (var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={wrong}", body, MediaTypes.OctetStream))
        {
            await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        }

        Assert.Equal(0, RowCount(server));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", wrong));
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(body)));
    }
}
