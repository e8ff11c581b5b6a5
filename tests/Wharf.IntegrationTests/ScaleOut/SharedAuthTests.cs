using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// Token mode on two instances sharing one database and bucket: one signing key, tokens from either instance
/// accepted by both, and one login throttle for both.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class SharedAuthTests
{
    private static (string, string)[] TokenMode(params (string Key, string Value)[] extra) =>
        [.. AuthSettings.For("token").Select(p => (p.Key, p.Value!)), .. extra];

    private static void UseToken(Registry registry, string token) =>
        registry.Server.Client.DefaultRequestHeaders.Authorization = Accounts.Bearer(token);

    [Fact]
    public async Task Both_instances_sign_with_the_one_key_created_at_first_start()
    {
        await using var pair = await TwoInstances.StartAsync(TokenMode());

        var stored = Assert.Single(await pair.A.Server.Services.GetRequiredService<ISigningKeyStore>().ListAsync(CancellationToken.None));
        Assert.Equal(stored.Kid, pair.A.Server.Services.GetRequiredService<SigningKeys>().Credentials.Key.KeyId);
        Assert.Equal(stored.Kid, pair.B.Server.Services.GetRequiredService<SigningKeys>().Credentials.Key.KeyId);
        Assert.False(Directory.Exists(Path.Combine(pair.A.Server.DataDirectory, "auth-keys")));
    }

    [Fact]
    public async Task A_token_issued_by_one_instance_pushes_and_pulls_through_the_other()
    {
        await using var pair = await TwoInstances.StartAsync(TokenMode());
        await pair.A.Server.AddUserAsync("alice", "alice-password");
        var fromA = await new TokenClient(pair.A.Server).TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/app:pull,push");

        UseToken(pair.B, fromA);
        var image = await pair.B.PushImageAsync("alice/app", "v1");
        Assert.Equal(HttpStatusCode.OK, await pair.B.ManifestStatusAsync("alice/app", "v1"));
        Assert.Equal(image.Config.Size, (await pair.B.GetBlobBytesAsync("alice/app", image.Config.Digest)).Length);

        var fromB = await new TokenClient(pair.B.Server).TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/app:pull");
        UseToken(pair.A, fromB);
        Assert.Equal(HttpStatusCode.OK, await pair.A.ManifestStatusAsync("alice/app", "v1"));
        Assert.Equal(new JsonWebToken(fromA).Kid, new JsonWebToken(fromB).Kid);
    }

    [Fact]
    public async Task A_refresh_token_from_one_instance_is_redeemed_at_the_other()
    {
        await using var pair = await TwoInstances.StartAsync(TokenMode());
        await pair.A.Server.AddUserAsync("alice", "alice-password");
        var (status, body, response) = await new TokenClient(pair.A.Server).PostAsync(
            ("grant_type", "password"), ("username", "alice"), ("password", "alice-password"), ("access_type", "offline"), ("service", "wharf"));
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);

        var (refreshed, refreshedBody, refreshedResponse) = await new TokenClient(pair.B.Server).PostAsync(
            ("grant_type", "refresh_token"), ("refresh_token", body!.Value.GetProperty("refresh_token").GetString()!), ("service", "wharf"),
            ("scope", "repository:alice/app:pull"));
        refreshedResponse.Dispose();

        Assert.Equal(HttpStatusCode.OK, refreshed);
        Assert.Equal(["repository:alice/app:pull"], TokenClient.Access(refreshedBody!.Value.GetProperty("token").GetString()!));
    }

    [Fact]
    public async Task A_web_session_signed_in_through_one_instance_is_valid_on_the_other()
    {
        await using var pair = await TwoInstances.StartAsync([.. AuthSettings.For("basic").Select(p => (p.Key, p.Value!))]);
        await pair.A.Server.AddUserAsync("alice", "alice-password");
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false });

        using var signIn = await client.PostAsync(
            new Uri(pair.A.Server.BaseAddress, "/api/session"),
            new StringContent("{\"username\":\"alice\",\"password\":\"alice-password\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pair.B.Server.BaseAddress, "/api/session"));
        request.Headers.Add("Cookie", cookie);
        using var onB = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        using var json = JsonDocument.Parse(await onB.Content.ReadAsStringAsync());
        Assert.Equal("alice", json.RootElement.GetProperty("user").GetString());
    }

    [Theory]
    [InlineData("token")]
    [InlineData("basic")]
    public async Task Failed_logins_spread_over_both_instances_are_throttled_as_one(string mode)
    {
        await using var pair = await TwoInstances.StartAsync([.. AuthSettings.For(mode).Select(p => (p.Key, p.Value!)), ("Auth:Throttle:MaxFailures", "4")]);
        await pair.A.Server.AddUserAsync("alice", "alice-password");

        // The token service in token mode, the registry itself in basic mode: both sign in through the throttle.
        async Task<HttpResponseMessage> SignInAsync(Registry via, string password)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, mode == "token" ? "/auth/token?service=wharf" : "/v2/");
            request.Headers.Authorization = Accounts.Basic("alice", password);
            return await via.Server.Client.SendAsync(request);
        }

        for (var i = 0; i < 4; i++)
        {
            using var failed = await SignInAsync(i % 2 == 0 ? pair.A : pair.B, "guess-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode); // each instance alone has seen only two
        }

        foreach (var instance in new[] { pair.A, pair.B })
        {
            using var throttled = await SignInAsync(instance, "alice-password");
            Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
            Assert.InRange(throttled.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        }
    }
}
