using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ConcurrencyTests
{
    private const int Clients = 16;

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string url, byte[]? body, string? contentType)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = new(contentType);
            }
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertSpecOutcome(HttpStatusCode status, string body, HttpStatusCode success)
    {
        if (status == success)
        {
            return;
        }

        Assert.True((int)status is >= 400 and < 500, $"got {(int)status}: {body}");
        Assert.Contains("\"errors\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sixteen_clients_pushing_the_same_blob_end_with_one_correct_copy()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(256 * 1024);
        var digest = Digests.Sha256(blob);
        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            using var start = new SemaphoreSlim(0);
            var pushes = clients.Select(async (client, i) =>
            {
                using var post = await client.PostAsync("/v2/shared/blobs/uploads/", null);
                Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
                var location = post.Headers.Location!.OriginalString;
                await start.WaitAsync();
                if (i % 2 == 0)
                {
                    return await SendAsync(client, HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);
                }

                var (patchStatus, patchBody) = await SendAsync(client, HttpMethod.Patch, location, blob[..100_000], MediaTypes.OctetStream);
                if (patchStatus != HttpStatusCode.Accepted)
                {
                    return (patchStatus, patchBody);
                }

                return await SendAsync(client, HttpMethod.Put, Registry.PutUrl(location, digest), blob[100_000..], MediaTypes.OctetStream);
            }).ToList();
            start.Release(Clients);
            var results = await Task.WhenAll(pushes);

            foreach (var (status, body) in results)
            {
                AssertSpecOutcome(status, body, HttpStatusCode.Created);
            }

            Assert.Contains(results, r => r.Item1 == HttpStatusCode.Created);
            using var get = await registry.GetAsync($"/v2/shared/blobs/{digest}");
            Assert.Equal(digest, Expect.Header(get, "Docker-Content-Digest"));
            Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
            if (!ScaleOutBackend.Requested)
            {
                // On the filesystem exactly one copy remains; the two-instance tests check the same in the bucket.
                // (The database's files are not copies, though its WAL can happen to reach the blob's size.)
                var copies = Directory.GetFiles(server.DataDirectory, "*", SearchOption.AllDirectories)
                    .Where(f => new FileInfo(f).Length == blob.Length && !Path.GetFileName(f).StartsWith("wharf.db", StringComparison.Ordinal))
                    .ToList();
                Assert.Single(copies);
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Sixteen_clients_pushing_the_same_tag_leave_it_on_one_of_their_manifests()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var layer = await registry.PushDescriptorAsync("shared", TestBlobs.Random(500), MediaTypes.OciLayerGzip);
        var manifests = new List<byte[]>();
        for (var i = 0; i < Clients; i++)
        {
            var config = await registry.PushDescriptorAsync("shared", TestBlobs.Config($"client-{i}"), MediaTypes.OciConfig);
            manifests.Add(ManifestJson.Image(config, [layer]));
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            var results = await Task.WhenAll(clients.Select((client, i) =>
                SendAsync(client, HttpMethod.Put, "/v2/shared/manifests/latest", manifests[i], MediaTypes.OciManifest)));

            foreach (var (status, body) in results)
            {
                AssertSpecOutcome(status, body, HttpStatusCode.Created);
            }

            using var get = await registry.GetAsync("/v2/shared/manifests/latest");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var served = await get.Content.ReadAsByteArrayAsync();
            Assert.Contains(manifests, m => m.AsSpan().SequenceEqual(served));
            Assert.Equal(Digests.Sha256(served), Expect.Header(get, "Docker-Content-Digest"));
            Assert.Equal(["latest"], await registry.TagsAsync("shared"));
            for (var i = 0; i < Clients; i++)
            {
                if (results[i].Status == HttpStatusCode.Created)
                {
                    Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("shared", Digests.Sha256(manifests[i])));
                }
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Sixteen_clients_pushing_distinct_tags_all_land()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("shared");
        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            var results = await Task.WhenAll(clients.Select((client, i) =>
                SendAsync(client, HttpMethod.Put, $"/v2/shared/manifests/tag-{i:D2}", image.Manifest, MediaTypes.OciManifest)));

            Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
            Assert.Equal(Enumerable.Range(0, Clients).Select(i => $"tag-{i:D2}"), await registry.TagsAsync("shared"));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Sixteen_clients_pushing_whole_images_to_different_repositories()
    {
        await using var server = await WharfTestServer.StartAsync();
        var shared = TestBlobs.Random(100_000);
        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var registry = new Registry(server);
                var repo = $"team/repo-{i}";
                var layer = await registry.PushDescriptorAsync(repo, shared, MediaTypes.OciLayerGzip);
                var config = await registry.PushDescriptorAsync(repo, TestBlobs.Config(), MediaTypes.OciConfig);
                await registry.PushManifestAsync(repo, "v1", ManifestJson.Image(config, [layer]));
            }));

            var check = new Registry(server);
            using var catalog = await check.GetAsync("/v2/_catalog");
            Assert.Equal(Clients, (await Json.RepositoriesAsync(catalog)).Count);
            for (var i = 0; i < Clients; i++)
            {
                Assert.Equal(shared, await check.GetBlobBytesAsync($"team/repo-{i}", Digests.Sha256(shared)));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
