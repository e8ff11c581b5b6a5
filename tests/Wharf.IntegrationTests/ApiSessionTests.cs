using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>The web UI's session (<c>/api/session</c>) and how /api/ resolves its caller, in basic and token mode.</summary>
public sealed class ApiSessionTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Signing_in_sets_an_HttpOnly_SameSite_cookie_that_names_the_user(string mode)
    {
        await using var server = await StartAsync(mode);
        using var client = ApiClient.CookielessHttpClient(server);

        using var response = await SignInAsync(client, "alice", "alice-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("wharf_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("alice", await WhoAsync(client, SessionValue(cookie)));
    }

    [Fact]
    public async Task A_wrong_password_is_401_without_a_challenge_and_sets_no_cookie()
    {
        await using var server = await StartAsync("basic");
        using var client = ApiClient.CookielessHttpClient(server);

        using var response = await SignInAsync(client, "alice", "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("UNAUTHORIZED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_callers_are_anonymous_and_a_forged_cookie_is_refused()
    {
        await using var server = await StartAsync("basic");
        using var client = ApiClient.CookielessHttpClient(server);

        Assert.Null(await WhoAsync(client, session: null));

        using var forged = SessionRequest(HttpMethod.Get, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.");
        using var response = await client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Removing_the_user_ends_the_session_at_once()
    {
        await using var server = await StartAsync("basic");
        using var client = ApiClient.CookielessHttpClient(server);
        var session = await SignedInSessionAsync(client, "alice", "alice-password");

        Assert.True(await server.Services.GetRequiredService<IUserStore>().DeleteAsync("alice", CancellationToken.None));

        using var request = SessionRequest(HttpMethod.Get, session);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_cookie_authenticated_write_from_another_origin_is_denied()
    {
        await using var server = await StartAsync("basic");
        using var client = ApiClient.CookielessHttpClient(server);
        var session = await SignedInSessionAsync(client, "alice", "alice-password");

        using var request = SessionRequest(HttpMethod.Delete, session);
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_work_on_the_api_too()
    {
        await using var server = await StartAsync("basic");
        using var client = ApiClient.CookielessHttpClient(server);
        client.DefaultRequestHeaders.Authorization = Accounts.Basic("bob", "bob-password");

        Assert.Equal("bob", await WhoAsync(client, session: null));
    }

    [Fact]
    public async Task With_auth_off_there_is_nobody_to_sign_in_as()
    {
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>(), _time);
        using var client = ApiClient.CookielessHttpClient(server);

        using var session = await client.GetAsync("/api/session");
        using var json = JsonDocument.Parse(await session.Content.ReadAsStringAsync());
        Assert.Equal("none", json.RootElement.GetProperty("authMode").GetString());

        using var signIn = await SignInAsync(client, "alice", "alice-password");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, signIn.StatusCode);
    }

    private async Task<WharfTestServer> StartAsync(string mode)
    {
        var server = await WharfTestServer.StartAsync(AuthSettings.For(mode), _time);
        await AuthSettings.AddUsersAsync(server);
        return server;
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password) =>
        client.PostAsync("/api/session", new StringContent(
            JsonSerializer.Serialize(new { username = user, password }), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

    private static string SessionValue(string setCookie) => setCookie.Split(';')[0]["wharf_session=".Length..];

    /// <summary>Signs in and returns the session cookie's value.</summary>
    private static async Task<string> SignedInSessionAsync(HttpClient client, string user, string password)
    {
        using var signIn = await SignInAsync(client, user, password);
        return SessionValue(signIn.Headers.GetValues("Set-Cookie").Single());
    }

    /// <summary>A request to <c>/api/session</c> carrying <paramref name="session"/> as its cookie (none when null).</summary>
    private static HttpRequestMessage SessionRequest(HttpMethod method, string? session)
    {
        var request = new HttpRequestMessage(method, "/api/session");
        if (session is not null)
        {
            request.Headers.Add("Cookie", "wharf_session=" + session);
        }

        return request;
    }

    private static async Task<string?> WhoAsync(HttpClient client, string? session)
    {
        using var request = SessionRequest(HttpMethod.Get, session);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("user").GetString();
    }
}
