using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>
/// A cache in front of another Wharf that requires tokens: the cache signs in upstream with its configured credentials,
/// and its own clients need pull on the cached name like on any repository.
/// </summary>
public sealed class TokenUpstreamTests
{
    [Fact]
    public async Task The_cache_pulls_from_a_token_upstream_with_its_credentials_and_its_own_clients_need_pull_on_the_cached_name()
    {
        var upstreamSettings = AuthSettings.For("token");
        await using var upstream = await WharfTestServer.StartAsync(upstreamSettings, handler: new SigningInHandler("alice", "alice-password"));
        await AuthSettings.AddUsersAsync(upstream);
        var image = await new Registry(upstream).PushImageAsync("team/app", "v1");

        var cacheSettings = AuthSettings.For("token");
        cacheSettings["Auth:Policies:3:Repositories"] = "corp/team/**";
        cacheSettings["Auth:Policies:3:Users:0"] = "bob";
        cacheSettings["Auth:Policies:3:Actions:0"] = "pull";
        cacheSettings["Mirror:Upstreams:0:Prefix"] = "corp";
        cacheSettings["Mirror:Upstreams:0:Url"] = upstream.BaseAddress.ToString();
        cacheSettings["Mirror:Upstreams:0:Username"] = "bob";
        cacheSettings["Mirror:Upstreams:0:Password"] = "bob-password";
        await using var cache = await WharfTestServer.StartAsync(cacheSettings);
        await AuthSettings.AddUsersAsync(cache);

        using var bob = new HttpClient(new SigningInHandler("bob", "bob-password")) { BaseAddress = cache.BaseAddress };
        using var carol = new HttpClient(new SigningInHandler("carol", "carol-password")) { BaseAddress = cache.BaseAddress };
        using var manifest = await bob.GetAsync(new Uri("/v2/corp/team/app/manifests/v1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        using var config = await bob.GetAsync(new Uri($"/v2/corp/team/app/blobs/{image.Config.Digest}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.Equal(image.Config.Digest, Digests.Sha256(await config.Content.ReadAsByteArrayAsync()));

        using var denied = await carol.GetAsync(new Uri("/v2/corp/team/app/manifests/v1", UriKind.Relative));
        Assert.True(denied.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"carol got {(int)denied.StatusCode}");
        using var anonymous = await cache.Client.GetAsync(new Uri("/v2/corp/team/app/manifests/v1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task In_mirror_mode_a_token_asked_for_the_unprefixed_name_as_dockerd_does_pulls_if_policy_allows_the_cached_name()
    {
        await using var upstream = await WharfTestServer.StartAsync(handler: null);
        var image = await new Registry(upstream).PushImageAsync("team/app", "v1");

        var cacheSettings = AuthSettings.For("token");
        cacheSettings["Auth:Policies:3:Repositories"] = "corp/team/**";
        cacheSettings["Auth:Policies:3:Users:0"] = "bob";
        cacheSettings["Auth:Policies:3:Actions:0"] = "pull";
        cacheSettings["Mirror:Default"] = "corp";
        cacheSettings["Mirror:Upstreams:0:Prefix"] = "corp";
        cacheSettings["Mirror:Upstreams:0:Url"] = upstream.BaseAddress.ToString();
        await using var cache = await WharfTestServer.StartAsync(cacheSettings);
        await AuthSettings.AddUsersAsync(cache);
        var tokens = new TokenClient(cache);

        var bob = await tokens.TokenAsync(Basic("bob"), "repository:other/app:pull");
        Assert.DoesNotContain("repository:corp/other/app:pull", TokenClient.Access(bob));
        bob = await tokens.TokenAsync(Basic("bob"), "repository:team/app:pull");
        Assert.Contains("repository:corp/team/app:pull", TokenClient.Access(bob));
        using (var pulled = await GetWithTokenAsync(cache, bob, "/v2/team/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            Assert.Equal(image.Manifest, await pulled.Content.ReadAsByteArrayAsync());
        }

        var carol = await tokens.TokenAsync(Basic("carol"), "repository:team/app:pull");
        using var denied = await GetWithTokenAsync(cache, carol, "/v2/team/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    private static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string user) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{user}-password")));

    private static Task<HttpResponseMessage> GetWithTokenAsync(WharfTestServer server, string token, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return server.Client.SendAsync(request);
    }

    [Fact]
    public async Task Credentials_the_upstream_refuses_give_unavailable_naming_the_upstream_not_a_500()
    {
        var upstreamSettings = AuthSettings.For("token");
        await using var upstream = await WharfTestServer.StartAsync(upstreamSettings, handler: new SigningInHandler("alice", "alice-password"));
        await AuthSettings.AddUsersAsync(upstream);
        await new Registry(upstream).PushImageAsync("team/app", "v1");

        await using var cache = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Upstreams:0:Prefix"] = "corp",
            ["Mirror:Upstreams:0:Url"] = upstream.BaseAddress.ToString(),
            ["Mirror:Upstreams:0:Username"] = "bob",
            ["Mirror:Upstreams:0:Password"] = "wrong",
        });

        using var response = await cache.Client.GetAsync(new Uri("/v2/corp/team/app/manifests/v1", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("UNAVAILABLE", body, StringComparison.Ordinal);
        Assert.Contains("upstream corp", body, StringComparison.Ordinal);
    }
}
