using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Policies;

/// <summary><c>Quotas</c>: pushes that would take a namespace above its quota are refused with DENIED and leave nothing behind.</summary>
public sealed class QuotaTests
{
    private static readonly IReadOnlyDictionary<string, string?> TeamAOf1000Bytes = Settings.Of(("Quotas:Namespaces:team-a", "1000B"));

    [Fact]
    public async Task A_chunked_upload_over_the_quota_is_refused_and_its_bytes_discarded()
    {
        await using var server = await WharfTestServer.StartAsync(TeamAOf1000Bytes);
        var registry = new Registry(server);
        await registry.PushBlobAsync("team-a/app", TestBlobs.Random(600));
        var blob = TestBlobs.Random(600);
        var digest = Digests.Sha256(blob);

        var location = await registry.StartUploadAsync("team-a/app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream, r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-599"));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        location = Expect.Location(patch);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), [], MediaTypes.OctetStream);

        await ExpectQuotaRefusalAsync(put, usage: 600);
        await AssertNothingKeptAsync(server, "team-a/app", digest);
        using var session = await registry.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, session.StatusCode);
    }

    [Fact]
    public async Task A_streamed_upload_and_a_whole_blob_put_over_the_quota_are_refused()
    {
        await using var server = await WharfTestServer.StartAsync(TeamAOf1000Bytes);
        var registry = new Registry(server);
        await registry.PushBlobAsync("team-a/app", TestBlobs.Random(600));

        var streamed = TestBlobs.Random(500);
        var location = await registry.StartUploadAsync("team-a/app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, streamed, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), Digests.Sha256(streamed)), [], MediaTypes.OctetStream);
        await ExpectQuotaRefusalAsync(put, usage: 600);
        await AssertNothingKeptAsync(server, "team-a/app", Digests.Sha256(streamed));

        var whole = TestBlobs.Random(401);
        var wholeLocation = await registry.StartUploadAsync("team-a/app");
        using var wholePut = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(wholeLocation, Digests.Sha256(whole)), whole, MediaTypes.OctetStream);
        await ExpectQuotaRefusalAsync(wholePut, usage: 600);
        await AssertNothingKeptAsync(server, "team-a/app", Digests.Sha256(whole));

        // What still fits is taken.
        await registry.PushBlobAsync("team-a/app", TestBlobs.Random(400));
        Assert.Equal(1000, await UsageAsync(server, "team-a"));
    }

    [Fact]
    public async Task A_monolithic_post_over_the_quota_is_refused()
    {
        await using var server = await WharfTestServer.StartAsync(TeamAOf1000Bytes);
        var registry = new Registry(server);
        await registry.PushBlobAsync("team-a/app", TestBlobs.Random(600));
        var blob = TestBlobs.Random(600);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/team-a/other/blobs/uploads/?digest={Digests.Sha256(blob)}", blob, MediaTypes.OctetStream);

        await ExpectQuotaRefusalAsync(post, usage: 600);
        await AssertNothingKeptAsync(server, "team-a/other", Digests.Sha256(blob));
    }

    [Fact]
    public async Task A_mount_into_the_namespace_is_refused_unless_the_namespace_has_the_blob()
    {
        await using var server = await WharfTestServer.StartAsync(TeamAOf1000Bytes);
        var registry = new Registry(server);
        var own = await registry.PushBlobAsync("team-a/app", TestBlobs.Random(600));
        var foreign = await registry.PushBlobAsync("team-b/app", TestBlobs.Random(600));

        using (var refused = await registry.SendAsync(HttpMethod.Post, $"/v2/team-a/app/blobs/uploads/?mount={foreign}&from=team-b/app", [], null))
        {
            await ExpectQuotaRefusalAsync(refused, usage: 600);
        }

        using (var anywhere = await registry.SendAsync(HttpMethod.Post, $"/v2/team-a/app/blobs/uploads/?mount={foreign}", [], null))
        {
            await ExpectQuotaRefusalAsync(anywhere, usage: 600);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("team-a/app", foreign));
        using (var inside = await registry.SendAsync(HttpMethod.Post, $"/v2/team-a/other/blobs/uploads/?mount={own}&from=team-a/app", [], null))
        {
            Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        }

        Assert.Equal(600, await UsageAsync(server, "team-a"));
    }

    [Fact]
    public async Task The_default_quota_applies_to_namespaces_not_listed()
    {
        await using var server = await WharfTestServer.StartAsync(Settings.Of(("Quotas:Default", "500B"), ("Quotas:Namespaces:big", "1KiB")));
        var registry = new Registry(server);
        var blob = TestBlobs.Random(600);

        using var refused = await registry.SendAsync(HttpMethod.Post, $"/v2/misc/app/blobs/uploads/?digest={Digests.Sha256(blob)}", blob, MediaTypes.OctetStream);
        await ExpectQuotaRefusalAsync(refused, usage: 0, quota: 500);
        await registry.PushBlobAsync("big/app", blob);

        var big = await server.Client.JsonAsync("/api/namespaces/big");
        Assert.Equal(600, big.GetProperty("usage").GetInt64());
        Assert.Equal(1024, big.GetProperty("quota").GetInt64());
    }

    [Fact]
    public async Task Concurrent_pushes_never_take_a_namespace_above_its_quota()
    {
        await using var server = await WharfTestServer.StartAsync(TeamAOf1000Bytes);
        var registry = new Registry(server);
        var blobs = Enumerable.Range(0, 8).Select(_ => TestBlobs.Random(300)).ToArray();

        var statuses = await Task.WhenAll(blobs.Select((blob, i) => Task.Run(async () =>
        {
            using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/team-a/r{i % 3}/blobs/uploads/?digest={Digests.Sha256(blob)}", blob, MediaTypes.OctetStream);
            return post.StatusCode;
        })));

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Forbidden }));
        Assert.Equal(900, await UsageAsync(server, "team-a"));
    }

    [Fact]
    public async Task The_api_usage_equals_the_distinct_blob_bytes_stored_for_the_namespace()
    {
        await using var server = await WharfTestServer.StartAsync(Settings.Of(("Quotas:Namespaces:team-a", "1MiB")));
        var registry = new Registry(server);
        var one = await registry.PushImageAsync("team-a/one", "v1", layerCount: 2);
        var two = await registry.PushImageAsync("team-a/two/deep", "v1", layerCount: 3);
        // The same layer in both repositories counts once.
        await registry.PushBlobAsync("team-a/two/deep", await registry.GetBlobBytesAsync("team-a/one", one.Layers[0].Digest));
        await registry.PushImageAsync("team-ab/elsewhere", "v1", layerCount: 2);

        var digests = new[] { one, two }.SelectMany(i => i.Layers.Append(i.Config)).Select(d => d.Digest).Distinct().ToList();
        long onDisk = 0;
        var storage = server.Services.GetRequiredService<IStorageDriver>();
        foreach (var digest in digests)
        {
            var path = StorageLayout.Blob(Core.Protocol.Digest.Parse(digest));
            onDisk += (await storage.StatAsync(path, CancellationToken.None))!.Value.Size; // a file's length or a row's: the stat knows both
        }

        var status = await server.Client.JsonAsync("/api/namespaces/team-a");
        Assert.Equal("team-a", status.GetProperty("namespace").GetString());
        Assert.Equal(onDisk, status.GetProperty("usage").GetInt64());
        Assert.Equal(1024 * 1024, status.GetProperty("quota").GetInt64());
        var unlimited = await server.Client.JsonAsync("/api/namespaces/team-ab");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unlimited.GetProperty("quota").ValueKind);
        using var invalid = await server.Client.GetAsync("/api/namespaces/Team!");
        await Expect.ErrorAsync(invalid, HttpStatusCode.BadRequest, "NAME_INVALID");
    }

    [Fact]
    public async Task Namespace_usage_is_shown_to_admins_and_to_whoever_may_pull_one_of_its_repositories()
    {
        var settings = AuthSettings.For("basic");
        settings["Auth:Admins:0"] = "carol";
        settings["Quotas:Namespaces:team"] = "1MiB";
        await using var server = await WharfTestServer.StartAsync(settings);
        await AuthSettings.AddUsersAsync(server);
        await server.AddUserAsync("dave", "dave-password");
        using (var push = new ApiClient(server, Accounts.Basic("alice", "alice-password")))
        {
            using var http = ApiClient.CookielessHttpClient(server, Accounts.Basic("alice", "alice-password"));
            var blob = TestBlobs.Random(10);
            using var post = await http.PostAsync($"/v2/team/app/blobs/uploads/?digest={Digests.Sha256(blob)}", new ByteArrayContent(blob));
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var anonymous = new ApiClient(server);
        using var bob = new ApiClient(server, Accounts.Basic("bob", "bob-password"));
        using var carol = new ApiClient(server, Accounts.Basic("carol", "carol-password"));
        using var dave = new ApiClient(server, Accounts.Basic("dave", "dave-password"));

        Assert.Equal(401, (await anonymous.GetAsync("/api/namespaces/team")).Status);
        var (bobStatus, bobBody) = await bob.GetAsync("/api/namespaces/team");
        Assert.Equal(200, bobStatus);
        Assert.Equal(10, bobBody.GetProperty("usage").GetInt64());
        Assert.Equal(200, (await carol.GetAsync("/api/namespaces/team")).Status);
        var (daveStatus, daveBody) = await dave.GetAsync("/api/namespaces/team");
        Assert.Equal(404, daveStatus);
        Assert.Equal("NAME_UNKNOWN", ApiClient.ErrorCode(daveBody));
    }

    private static async Task ExpectQuotaRefusalAsync(HttpResponseMessage response, long usage, long quota = 1000)
    {
        await Expect.ErrorAsync(response, HttpStatusCode.Forbidden, "DENIED");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("quota", body, StringComparison.Ordinal);
        Assert.Contains($"uses {Core.Policies.PolicyText.FormatSize(usage)} ({usage} bytes)", body, StringComparison.Ordinal);
        Assert.Contains($"({quota} bytes)", body, StringComparison.Ordinal);
    }

    /// <summary>The blob is neither visible in the repository nor stored.</summary>
    private static async Task AssertNothingKeptAsync(WharfTestServer server, string repository, string digest)
    {
        Assert.Equal(HttpStatusCode.NotFound, await new Registry(server).BlobStatusAsync(repository, digest));
        var storage = server.Services.GetRequiredService<IStorageDriver>();
        Assert.Null(await storage.StatAsync(StorageLayout.Blob(Core.Protocol.Digest.Parse(digest)), CancellationToken.None));
    }

    private static async Task<long> UsageAsync(WharfTestServer server, string namespaceName) =>
        (await server.Client.JsonAsync($"/api/namespaces/{namespaceName}")).GetProperty("usage").GetInt64();
}
