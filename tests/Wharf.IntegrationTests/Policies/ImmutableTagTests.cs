using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Policies;

/// <summary><c>Policies:ImmutableTags</c>: tags matching a rule never move and never go, over HTTP.</summary>
public sealed class ImmutableTagTests
{
    private const string RuleName = "Policies:ImmutableTags[0]";

    private static readonly IReadOnlyDictionary<string, string?> ReleasesOfProd = Settings.Of(
        ("Policies:ImmutableTags:0:Repositories", "prod/**"),
        ("Policies:ImmutableTags:0:Tags", "v*"));

    [Fact]
    public async Task Pushing_another_manifest_over_an_immutable_tag_is_denied_naming_the_rule()
    {
        await using var server = await WharfTestServer.StartAsync(ReleasesOfProd);
        var registry = new Registry(server);
        var first = await registry.PushImageAsync("prod/app", "v1");
        var other = await registry.PushImageAsync("prod/app");

        using var again = await registry.PutManifestAsync("prod/app", "v1", first.Manifest);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        using var over = await registry.PutManifestAsync("prod/app", "v1", other.Manifest);
        await Expect.ErrorAsync(over, HttpStatusCode.Forbidden, "DENIED");
        var message = await over.Content.ReadAsStringAsync();
        Assert.Contains(RuleName, message, StringComparison.Ordinal);
        Assert.Contains("prod/**", message, StringComparison.Ordinal);

        using var tagged = await registry.GetAsync("/v2/prod/app/manifests/v1");
        Assert.Equal(first.Manifest, await tagged.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Tags_and_repositories_outside_the_rules_move_freely()
    {
        await using var server = await WharfTestServer.StartAsync(ReleasesOfProd);
        var registry = new Registry(server);
        await registry.PushImageAsync("prod/app", "latest");
        var moved = await registry.PushImageAsync("prod/app", "latest");
        await registry.PushImageAsync("dev/app", "v1");
        var devMoved = await registry.PushImageAsync("dev/app", "v1");
        await registry.PushImageAsync("prod", "v1"); // prod/** does not match prod itself.
        await registry.PushImageAsync("prod", "v1");

        using var latest = await registry.GetAsync("/v2/prod/app/manifests/latest");
        Assert.Equal(moved.Manifest, await latest.Content.ReadAsByteArrayAsync());
        using var dev = await registry.GetAsync("/v2/dev/app/manifests/v1");
        Assert.Equal(devMoved.Manifest, await dev.Content.ReadAsByteArrayAsync());
        using (var deleted = await registry.DeleteAsync("/v2/dev/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        }
    }

    [Fact]
    public async Task Deleting_an_immutable_tag_or_the_manifest_it_points_to_is_denied()
    {
        await using var server = await WharfTestServer.StartAsync(ReleasesOfProd);
        var registry = new Registry(server);
        var release = await registry.PushImageAsync("prod/app", "v1");
        var loose = await registry.PushImageAsync("prod/app", "latest");

        using (var byTag = await registry.DeleteAsync("/v2/prod/app/manifests/v1"))
        {
            await Expect.ErrorAsync(byTag, HttpStatusCode.Forbidden, "DENIED");
            Assert.Contains(RuleName, await byTag.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var byDigest = await registry.DeleteAsync($"/v2/prod/app/manifests/{release.Digest}"))
        {
            await Expect.ErrorAsync(byDigest, HttpStatusCode.Forbidden, "DENIED");
            var message = await byDigest.Content.ReadAsStringAsync();
            Assert.Contains(RuleName, message, StringComparison.Ordinal);
            Assert.Contains("v1", message, StringComparison.Ordinal);
        }

        using (var api = await server.Client.DeleteAsync($"/api/tags/prod/app?tag=v1&digest={release.Digest}"))
        {
            await Expect.ErrorAsync(api, HttpStatusCode.Forbidden, "DENIED");
            Assert.Contains(RuleName, await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var apiUnconditional = await server.Client.DeleteAsync("/api/tags/prod/app?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, apiUnconditional.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("prod/app", "v1"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("prod/app", release.Digest));

        // A manifest no immutable tag points to still goes, with its mutable tags.
        using (var looseDelete = await registry.DeleteAsync($"/v2/prod/app/manifests/{loose.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, looseDelete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("prod/app", "latest"));
        Assert.Equal(["v1"], await registry.TagsAsync("prod/app"));
    }

    [Fact]
    public async Task Deleting_a_repository_that_holds_an_immutable_tag_is_denied()
    {
        await using var server = await WharfTestServer.StartAsync(ReleasesOfProd);
        var registry = new Registry(server);
        await registry.PushImageAsync("prod/app", "v1");
        await registry.PushImageAsync("prod/scratch", "latest");

        using (var refused = await server.Client.DeleteAsync("/api/repository/prod/app"))
        {
            await Expect.ErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED");
            Assert.Contains(RuleName, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var deleted = await server.Client.DeleteAsync("/api/repository/prod/scratch"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(["v1"], await registry.TagsAsync("prod/app"));
    }

    [Fact]
    public async Task Concurrent_first_pushes_of_an_immutable_tag_let_exactly_one_win()
    {
        await using var server = await WharfTestServer.StartAsync(ReleasesOfProd);
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("prod/race", TestBlobs.Config(), MediaTypes.OciConfig);
        for (var round = 0; round < 5; round++)
        {
            var manifests = Enumerable.Range(0, 6).Select(i => ManifestJson.Image(config, [], annotations: new Dictionary<string, string> { ["n"] = $"{round}-{i}" })).ToArray();
            var responses = await Task.WhenAll(manifests.Select(m => Task.Run(() => registry.PutManifestAsync("prod/race", $"v{round}", m))));
            try
            {
                var winner = Assert.Single(manifests.Zip(responses), p => p.Second.StatusCode == HttpStatusCode.Created).First;
                foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
                {
                    await Expect.ErrorAsync(loser, HttpStatusCode.Forbidden, "DENIED");
                }

                using var tagged = await registry.GetAsync($"/v2/prod/race/manifests/v{round}");
                Assert.Equal(winner, await tagged.Content.ReadAsByteArrayAsync());
            }
            finally
            {
                foreach (var response in responses)
                {
                    response.Dispose();
                }
            }
        }
    }
}
