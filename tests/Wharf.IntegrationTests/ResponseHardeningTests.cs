using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>nosniff on every answer, plain JSON, sign-in only from Wharf's own pages, and no token too large to use.</summary>
public sealed class ResponseHardeningTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Every_answer_says_nosniff()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("basic"), _time);
        await AuthSettings.AddUsersAsync(server);
        using var client = ApiClient.CookielessHttpClient(server);

        foreach (var path in new[] { "/v2/", "/v2/alice/app/manifests/v1", "/api/repositories", "/", "/nowhere", "/auth/token" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var values), $"{path} ({(int)response.StatusCode}) has no X-Content-Type-Options");
            Assert.Equal("nosniff", Assert.Single(values));
        }
    }

    [Fact]
    public async Task Json_answers_write_plus_and_apostrophe_plainly()
    {
        await using var server = await WharfTestServer.StartAsync();

        using var referrers = await server.Client.GetAsync("/v2/app/referrers/sha256:" + new string('a', 64));
        var body = await referrers.Content.ReadAsStringAsync();

        Assert.Contains("application/vnd.oci.image.index.v1+json", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cross_site_text_plain_sign_in_is_refused_and_sets_no_cookie()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("basic"), _time);
        await AuthSettings.AddUsersAsync(server);
        using var client = ApiClient.CookielessHttpClient(server);
        const string credentials = """{"username":"alice","password":"alice-password"}""";

        using var plain = await client.PostAsync("/api/session", new StringContent(credentials, Encoding.UTF8, "text/plain"));
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = new StringContent(credentials, Encoding.UTF8, "application/json") };
        foreign.Headers.Add("Origin", "http://evil.example");
        using var fromElsewhere = await client.SendAsync(foreign);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = new StringContent(credentials, Encoding.UTF8, "application/json") };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fetchedCrossSite = await client.SendAsync(crossSite);
        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = new StringContent(credentials, Encoding.UTF8, "application/json") };
        own.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var fromOwnPage = await client.SendAsync(own);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromElsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fetchedCrossSite.StatusCode);
        Assert.All(new[] { plain, fromElsewhere, fetchedCrossSite }, r => Assert.False(r.Headers.Contains("Set-Cookie")));
        Assert.Equal(HttpStatusCode.OK, fromOwnPage.StatusCode);
    }

    [Fact]
    public async Task A_token_larger_than_the_registry_accepts_is_refused_rather_than_issued()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"), _time);
        await AuthSettings.AddUsersAsync(server);
        var scopes = Enumerable.Range(0, 300).Select(i => $"repository:public/some-rather-long-repository-name-{i}:pull").ToArray();
        var tokens = new TokenClient(server);

        var (status, _, response) = await tokens.PostAsync(
            ("grant_type", "password"), ("username", "alice"), ("password", "alice-password"), ("scope", string.Join(' ', scopes)));
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("fewer scopes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var fine = await tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), scopes[..10]);
        Assert.NotEmpty(fine);
    }
}
