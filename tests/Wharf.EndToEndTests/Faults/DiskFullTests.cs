using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// The data directory (blobs, uploads and SQLite) on a small tmpfs that fills up during a push: the push gets
/// 507 UNAVAILABLE, nothing of it is left (no upload bytes, no blob, no manifest or tag), pulls keep working, SQLite stays
/// consistent (<c>wharf check</c> exits 0), and once space is freed the same push succeeds without a restart.
/// </summary>
public sealed class DiskFullTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_monolithic_blob_upload_that_fills_the_disk_gets_507_and_leaves_nothing()
    {
        await using var disk = await SmallDisk.MountAsync(24);
        var data = Path.Combine(disk.Path, "data");
        await using (var server = await StartAsync(data))
        {
            var client = server.Client;
            var kept = await RawPush.ImageAsync(client, "keep/app", "v1", 200_000);
            disk.Fill(leaveFree: 2 * MiB);
            var free = disk.FreeBytes;
            var blob = RandomNumberGenerator.GetBytes(6 * MiB);
            var digest = RawPush.Sha256(blob);

            using (var refused = await PostBlobAsync(client, "keep/app", blob))
            {
                await AssertStorageFullAsync(refused);
            }

            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(data, "uploads")));
            Assert.True(disk.FreeBytes >= free, $"{disk.FreeBytes} bytes free after the failed push, {free} before");
            await AssertBlobUnknownAsync(client, "keep/app", digest);
            await AssertPullsAsync(client, "keep/app", kept);

            disk.Free();
            using (var retried = await PostBlobAsync(client, "keep/app", blob))
            {
                Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
            }

            Assert.Equal(blob, await client.GetByteArrayAsync(new Uri($"/v2/keep/app/blobs/{digest}", UriKind.Relative)));
        }

        await AssertCheckPassesAsync(data);
    }

    [Fact]
    public async Task A_chunk_that_fills_the_disk_gets_507_the_upload_keeps_its_earlier_chunks_and_resumes_once_space_is_freed()
    {
        await using var disk = await SmallDisk.MountAsync(24);
        var data = Path.Combine(disk.Path, "data");
        await using (var server = await StartAsync(data))
        {
            var client = server.Client;
            var kept = await RawPush.ImageAsync(client, "keep/app", "v1", 200_000);
            var blob = RandomNumberGenerator.GetBytes(7 * MiB);
            var digest = RawPush.Sha256(blob);
            using var start = await client.PostAsync(new Uri("/v2/keep/app/blobs/uploads/", UriKind.Relative), new ByteArrayContent([]));
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var location = start.Headers.Location!.OriginalString;
            using (var first = await PatchAsync(client, location, blob, 0, MiB))
            {
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            }

            var uploadFile = Directory.EnumerateFiles(Path.Combine(data, "uploads")).Single();
            disk.Fill(leaveFree: 2 * MiB);
            var free = disk.FreeBytes;

            using (var refused = await PatchAsync(client, location, blob, MiB, blob.Length - MiB))
            {
                await AssertStorageFullAsync(refused);
            }

            Assert.Equal(MiB, new FileInfo(uploadFile).Length);
            Assert.True(disk.FreeBytes >= free, $"{disk.FreeBytes} bytes free after the failed chunk, {free} before");
            using (var status = await client.GetAsync(new Uri(location, UriKind.RelativeOrAbsolute)))
            {
                Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
                Assert.Equal($"0-{MiB - 1}", status.Headers.GetValues("Range").Single());
            }

            await AssertBlobUnknownAsync(client, "keep/app", digest);
            await AssertPullsAsync(client, "keep/app", kept);

            disk.Free();
            using (var resumed = await PatchAsync(client, location, blob, MiB, blob.Length - MiB))
            {
                Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
                location = resumed.Headers.Location!.OriginalString;
            }

            using (var put = await client.PutAsync(new Uri($"{location}{(location.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={digest}", UriKind.RelativeOrAbsolute), new ByteArrayContent([])))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            Assert.Equal(blob, await client.GetByteArrayAsync(new Uri($"/v2/keep/app/blobs/{digest}", UriKind.Relative)));
        }

        await AssertCheckPassesAsync(data);
    }

    [Fact]
    public async Task A_manifest_put_on_a_full_disk_gets_507_and_neither_the_manifest_nor_its_tag_appears()
    {
        await using var disk = await SmallDisk.MountAsync(24);
        var data = Path.Combine(disk.Path, "data");
        await using (var server = await StartAsync(data))
        {
            var client = server.Client;
            var kept = await RawPush.ImageAsync(client, "keep/app", "v1", 200_000);
            var config = await RawPush.BlobAsync(client, "keep/app", Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}"""));
            // Large enough (1 MiB of annotation) that SQLite's WAL must grow to take it: room left in the WAL file from
            // earlier writes cannot absorb it.
            var manifest = Encoding.UTF8.GetBytes($$"""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":37},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{kept.Layer}}","size":200000}],
                 "annotations":{"filler":"{{Convert.ToHexString(RandomNumberGenerator.GetBytes(MiB / 2))}}"} }
                """);
            disk.Fill();

            using (var refused = await PutManifestAsync(client, "keep/app", "v2", manifest))
            {
                await AssertStorageFullAsync(refused);
            }

            using (var byTag = await client.GetAsync(new Uri("/v2/keep/app/manifests/v2", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
            }

            using (var byDigest = await client.GetAsync(new Uri($"/v2/keep/app/manifests/{RawPush.Sha256(manifest)}", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
            }

            Assert.DoesNotContain("\"v2\"", await client.GetStringAsync(new Uri("/v2/keep/app/tags/list", UriKind.Relative)), StringComparison.Ordinal);
            await AssertPullsAsync(client, "keep/app", kept);

            disk.Free();
            using (var retried = await PutManifestAsync(client, "keep/app", "v2", manifest))
            {
                Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
            }

            Assert.Equal(manifest, await client.GetByteArrayAsync(new Uri("/v2/keep/app/manifests/v2", UriKind.Relative)));
        }

        await AssertCheckPassesAsync(data);
    }

    private static Task<WharfTestServer> StartAsync(string data) => WharfTestServer.StartAsync(
        new Dictionary<string, string?> { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite", ["Gc:Enabled"] = "false" },
        dataDirectory: data);

    private static Task<HttpResponseMessage> PostBlobAsync(HttpClient client, string repository, byte[] blob)
    {
        var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?digest={RawPush.Sha256(blob)}", UriKind.Relative), content);
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string location, byte[] blob, int offset, int length)
    {
        var content = new ByteArrayContent(blob, offset, length);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        return client.PatchAsync(new Uri(location, UriKind.RelativeOrAbsolute), content);
    }

    private static Task<HttpResponseMessage> PutManifestAsync(HttpClient client, string repository, string tag, byte[] manifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        return client.PutAsync(new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative), content);
    }

    private static async Task AssertStorageFullAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("\"code\":\"UNAVAILABLE\"", body, StringComparison.Ordinal);
        Assert.Contains("storage is full", body, StringComparison.Ordinal);
    }

    private static async Task AssertBlobUnknownAsync(HttpClient client, string repository, string digest)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    private static async Task AssertPullsAsync(HttpClient client, string repository, RawImage image)
    {
        Assert.Equal(image.Manifest, await client.GetByteArrayAsync(new Uri($"/v2/{repository}/manifests/{image.Tag}", UriKind.Relative)));
        foreach (var (digest, bytes) in image.Blobs)
        {
            Assert.Equal(bytes, await client.GetByteArrayAsync(new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative)));
        }
    }

    private static async Task AssertCheckPassesAsync(string data)
    {
        await using var check = WharfProcess.Start(["check", "--data", data]);
        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, check.Output);
        Assert.Contains("no problems found", check.Output, StringComparison.Ordinal);
    }
}
