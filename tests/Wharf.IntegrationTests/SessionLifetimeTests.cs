using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// How long web sessions and refresh tokens live: a password change and removing the user end them all, a name
/// removed and added again does not bring back the first user's, and each refresh token is good for one use
/// (presenting a spent one revokes every refresh token of that sign-in).
/// </summary>
public sealed class SessionLifetimeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;
    private HttpClient? _client;

    private WharfTestServer Server => _server!;

    private HttpClient Client => _client!;

    private TokenClient Tokens => new(Server);

    private IUserStore Users => Server.Services.GetRequiredService<IUserStore>();

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

    [Fact]
    public async Task A_password_change_ends_every_session_and_refresh_token_of_that_user()
    {
        var session = await SignInAsync("alice", "alice-password");
        var refresh = await PasswordGrantAsync("alice", "alice-password");
        var bobSession = await SignInAsync("bob", "bob-password");
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(session));

        await ChangePasswordAsync("alice", "new-password");

        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(refresh)).Status);
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(bobSession));
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(await SignInAsync("alice", "new-password")));
    }

    [Fact]
    public async Task Changing_only_the_groups_keeps_the_sessions()
    {
        var session = await SignInAsync("alice", "alice-password");
        var user = await Users.GetAsync("alice", CancellationToken.None);

        Assert.True(await Users.UpdateAsync("alice", user!.PasswordHash, ["readers"], CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(session));
    }

    [Fact]
    public async Task A_removed_and_re_added_name_does_not_revive_the_first_users_session_or_refresh_token()
    {
        var session = await SignInAsync("alice", "alice-password");
        var refresh = await PasswordGrantAsync("alice", "alice-password");

        Assert.True(await Users.DeleteAsync("alice", CancellationToken.None));
        await Server.AddUserAsync("alice", "alice-password");

        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(refresh)).Status);
    }

    [Fact]
    public async Task A_refresh_token_is_good_for_one_use_and_reusing_it_revokes_the_whole_family()
    {
        var first = await PasswordGrantAsync("alice", "alice-password");
        var other = await PasswordGrantAsync("alice", "alice-password"); // another sign-in: another family

        var (status, second) = await RefreshAsync(first);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(first, second);

        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(first)).Status); // spent: reuse detected
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(second!)).Status); // so its successor is revoked too
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(other)).Status);
    }

    [Fact]
    public async Task A_chain_of_refreshes_keeps_working_one_token_at_a_time()
    {
        var refresh = await PasswordGrantAsync("alice", "alice-password");
        for (var i = 0; i < 3; i++)
        {
            var (status, next) = await RefreshAsync(refresh);
            Assert.Equal(HttpStatusCode.OK, status);
            refresh = next!;
        }
    }

    [Fact]
    public async Task Dockerds_identity_token_stays_good_for_every_pull_and_push_until_the_password_changes()
    {
        // docker login: GET with Basic credentials, offline_token=true, client_id=docker; the refresh token becomes the
        // identity token that dockerd sends, unchanged, for every later operation (it never stores the rotated one).
        var (status, body, response) = await Tokens.GetAsync(Accounts.Basic("alice", "alice-password"), "offline_token=true", "client_id=docker");
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var identity = body!.Value.GetProperty("refresh_token").GetString()!;

        for (var i = 0; i < 3; i++)
        {
            var (refreshed, _, answer) = await Tokens.PostAsync(
                ("grant_type", "refresh_token"), ("refresh_token", identity), ("service", "wharf"), ("client_id", "docker"), ("scope", "repository:alice/app:pull,push"));
            answer.Dispose();
            Assert.Equal(HttpStatusCode.OK, refreshed);
        }

        await ChangePasswordAsync("alice", "new-password");
        var (afterChange, _, last) = await Tokens.PostAsync(("grant_type", "refresh_token"), ("refresh_token", identity), ("service", "wharf"), ("client_id", "docker"));
        last.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, afterChange);
    }

    private async Task ChangePasswordAsync(string user, string password)
    {
        var hasher = Server.Services.GetRequiredService<PasswordHasher>();
        Assert.True(await Users.UpdateAsync(user, hasher.Hash(password), null, CancellationToken.None));
    }

    private async Task<string> SignInAsync(string user, string password)
    {
        using var response = await Client.PostAsync("/api/session", new StringContent(
            JsonSerializer.Serialize(new { username = user, password }), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["wharf_session=".Length..];
    }

    private async Task<HttpStatusCode> SessionStatusAsync(string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/repositories");
        request.Headers.Add("Cookie", "wharf_session=" + session);
        using var response = await Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string> PasswordGrantAsync(string user, string password)
    {
        var (status, body, response) = await Tokens.PostAsync(
            ("grant_type", "password"), ("username", user), ("password", password), ("access_type", "offline"), ("service", "wharf"));
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        return body!.Value.GetProperty("refresh_token").GetString()!;
    }

    private async Task<(HttpStatusCode Status, string? Refresh)> RefreshAsync(string refresh)
    {
        var (status, body, response) = await Tokens.PostAsync(("grant_type", "refresh_token"), ("refresh_token", refresh), ("service", "wharf"));
        response.Dispose();
        return (status, body?.GetProperty("refresh_token").GetString());
    }
}
