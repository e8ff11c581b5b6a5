using System.Net;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// The absolute URLs Wharf sends (upload and blob <c>Location</c>s, the default token realm): built from the request,
/// from a trusted proxy's <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c>, or from <c>Http:BaseUrl</c>.
/// </summary>
public sealed class PublicAddressTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Upload_locations_are_absolute_urls_of_this_registry()
    {
        await using var server = await WharfTestServer.StartAsync();
        var blob = "hello"u8.ToArray();
        var digest = Digests.Sha256(blob);

        using var start = await server.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = start.Headers.Location!;
        Assert.True(location.IsAbsoluteUri, location.OriginalString);
        Assert.StartsWith(server.BaseAddress + "v2/app/blobs/uploads/", location.AbsoluteUri, StringComparison.Ordinal);

        using var put = await server.Client.PutAsync(Registry.PutUrl(location.AbsoluteUri, digest), new ByteArrayContent(blob));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(new Uri(server.BaseAddress, $"/v2/app/blobs/{digest}"), put.Headers.Location);
    }

    [Fact]
    public async Task A_trusted_proxys_forwarded_scheme_and_host_make_the_locations_and_the_realm()
    {
        var settings = AuthSettings.For("token");
        settings["Http:TrustedProxies:0"] = "127.0.0.1";
        await using var server = await WharfTestServer.StartAsync(settings, _time);

        using var ping = await SendAsync(server, HttpMethod.Get, "/v2/", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "registry.example.com"));

        Assert.Equal("Bearer realm=\"https://registry.example.com/auth/token\",service=\"wharf\"", ping.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Forwarded_headers_from_anyone_else_are_ignored()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"), _time);

        using var ping = await SendAsync(server, HttpMethod.Get, "/v2/", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"));

        Assert.Equal($"Bearer realm=\"{server.BaseAddress}auth/token\",service=\"wharf\"", ping.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_configured_base_url_makes_every_location()
    {
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?> { ["Http:BaseUrl"] = "https://registry.example.com" });

        using var start = await SendAsync(server, HttpMethod.Post, "/v2/app/blobs/uploads/", ("X-Forwarded-Host", "evil.example"));

        Assert.StartsWith("https://registry.example.com/v2/app/blobs/uploads/", start.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_at_the_token_service_gets_a_Basic_challenge()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"), _time);
        await AuthSettings.AddUsersAsync(server);

        var (status, _, response) = await new TokenClient(server).GetAsync(Accounts.Basic("alice", "wrong"), "scope=repository:alice/app:pull");
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("Basic realm=\"Wharf\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(WharfTestServer server, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await server.Client.SendAsync(request);
    }
}
