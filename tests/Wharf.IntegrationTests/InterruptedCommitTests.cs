using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Services;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// A kill -9 after a commit published an upload's bytes under the digest and before it recorded the link leaves the
/// session without bytes of its own (found by the crash harness, tests/Wharf.EndToEndTests/Crash). A client that sends
/// the commit again must be told the upload is unknown and start over, not that its blob's digest is wrong.
/// </summary>
public class InterruptedCommitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_commit_sent_again_after_its_bytes_were_published_is_BLOB_UPLOAD_UNKNOWN_and_the_upload_started_again_succeeds(bool lastChunkInPut)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var digest = Digests.Sha256(blob);
        var patched = lastChunkInPut ? 2000 : blob.Length;
        var location = await registry.StartUploadAsync("app");
        using (var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..patched], MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = Expect.Location(patch);
        }

        // What the killed process leaves: the bytes under the digest, the session row, no upload object, no running hash.
        var id = location.Split('?')[0].Split('/')[^1];
        var storage = server.Services.GetRequiredService<IStorageDriver>();
        await registry.PushBlobAsync("elsewhere", blob);
        await storage.DeleteAsync(StorageLayout.Upload(id), CancellationToken.None);
        server.Services.GetRequiredService<RunningHashes>().Forget(id);

        using (var retry = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob[patched..], MediaTypes.OctetStream))
        {
            await Expect.ErrorAsync(retry, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        }

        using (var status = await registry.GetAsync(location))
        {
            await Expect.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", digest));
        Assert.Equal(digest, await registry.PushBlobAsync("app", blob));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    /// <summary>
    /// One step earlier: the kill came between the link that published the upload's file under the digest and the unlink
    /// of the upload's name, so both names are on one file, and the same blob has since been pushed elsewhere and
    /// acknowledged. A commit sent again then writes the upload from its recorded offset; it must get a file of its own
    /// (found by the crash harness: a second kill during such a retry left a blob cut short under its digest).
    /// </summary>
    [Fact]
    public async Task A_commit_sent_again_while_the_upload_still_names_the_blobs_file_leaves_the_stored_blob_whole()
    {
        // Hard links are the filesystem driver's (S3 publishes by pointing at data objects that never change), also in a
        // scale-out run; and the blob must be a file, not a small blob kept in the database.
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite", ["Storage:InlineMaxBytes"] = "0",
        });
        var registry = new Registry(server);
        var blob = TestBlobs.Random(3000);
        var digest = Digests.Sha256(blob);
        var location = await registry.StartUploadAsync("app");
        using (var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..2000], MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = Expect.Location(patch);
        }

        var id = location.Split('?')[0].Split('/')[^1];
        var storage = server.Services.GetRequiredService<IStorageDriver>();
        Assert.Equal(digest, await registry.PushBlobAsync("elsewhere", blob));
        var upload = storage.LocalFilePath(StorageLayout.Upload(id))!;
        File.Delete(upload);
        Assert.True(Wharf.Storage.FileSystem.HardLink.TryCreate(storage.LocalFilePath(StorageLayout.Blob(Wharf.Core.Protocol.Digest.Parse(digest)))!, upload));
        server.Services.GetRequiredService<RunningHashes>().Forget(id);

        // A garbled retry of the last chunk: refused, and the stored blob is not touched by it.
        var garbled = blob[2000..].Select(b => (byte)~b).ToArray();
        using (var retry = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), garbled, MediaTypes.OctetStream))
        {
            await Expect.ErrorAsync(retry, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        }

        Assert.Equal(blob, await registry.GetBlobBytesAsync("elsewhere", digest));
        Assert.Equal(digest, await registry.PushBlobAsync("app", blob));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
        Assert.Equal(blob, await File.ReadAllBytesAsync(storage.LocalFilePath(StorageLayout.Blob(Wharf.Core.Protocol.Digest.Parse(digest)))!));
    }
}
