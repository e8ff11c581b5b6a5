using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Malformed tokens and token-service forms are the client's mistake: 401 or 400, never a 500.</summary>
public sealed class MalformedCredentialTests : IAsyncLifetime
{
    /// <summary>Five parts, the shape of an encrypted JWT (JWE), with parts that are not even base64url JSON.</summary>
    private const string JweShaped = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;
    private HttpClient? _client;

    private WharfTestServer Server => _server!;

    private HttpClient Client => _client!;

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync(AuthSettings.For("token"), _time);
        await AuthSettings.AddUsersAsync(Server);
        _client = ApiClient.CookielessHttpClient(Server);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await Server.DisposeAsync();
    }

    public static TheoryData<string> Tokens => new()
    {
        JweShaped,
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..a.b.c",
        "a.b.c.d.e",
        "e30.e30.e30.e30.e30",
        "%%%.%%%.%%%",
        "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln",
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task A_malformed_bearer_token_is_401_everywhere(string token)
    {
        foreach (var path in new[] { "/v2/", "/v2/alice/app/manifests/v1", "/api/repositories", "/v1/search?q=app" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            using var response = await Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task A_malformed_session_cookie_or_refresh_token_is_401(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/repositories");
        request.Headers.Add("Cookie", "wharf_session=" + token);
        using var session = await Client.SendAsync(request);
        var (refresh, _, response) = await new TokenClient(Server).PostAsync(("grant_type", "refresh_token"), ("refresh_token", token));
        response.Dispose();

        Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh);
    }

    [Fact]
    public async Task A_form_with_thousands_of_fields_is_400()
    {
        var form = string.Join('&', Enumerable.Range(0, 2000).Select(i => $"f{i}=v"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostFormAsync(new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded")));
    }

    [Fact]
    public async Task A_form_with_a_huge_value_is_400()
    {
        var form = "grant_type=password&username=alice&password=" + new string('x', 5 * 1024 * 1024);
        Assert.Equal(HttpStatusCode.BadRequest, await PostFormAsync(new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded")));
    }

    [Fact]
    public async Task A_form_with_a_long_key_is_400()
    {
        var form = new string('k', 3000) + "=v&grant_type=password";
        Assert.Equal(HttpStatusCode.BadRequest, await PostFormAsync(new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded")));
    }

    [Fact]
    public async Task A_broken_multipart_form_is_400()
    {
        var content = new StringContent("--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--b\r\nContent-Disp", Encoding.ASCII);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        Assert.Equal(HttpStatusCode.BadRequest, await PostFormAsync(content));
    }

    private async Task<HttpStatusCode> PostFormAsync(HttpContent content)
    {
        using (content)
        {
            using var response = await Client.PostAsync("/auth/token", content);
            return response.StatusCode;
        }
    }
}
