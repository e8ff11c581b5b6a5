using System.Net;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// What the login throttle counts, in basic mode: a wrong credential resent as containerd's resolver does (ctr, nerdctl,
/// BuildKit and the ORAS Go library resend the same Basic credentials about 13 times in one push) counts once, and a
/// lock holds one user at one address, not that user everywhere nor everyone at that address.
/// </summary>
public sealed class LoginThrottleChoicesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;

    private WharfTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync(AuthSettings.For("basic"), _time);
        await AuthSettings.AddUsersAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    [Fact]
    public async Task A_push_resending_one_mistyped_password_locks_out_neither_the_right_password_nor_other_users()
    {
        // One push with a mistyped password, as containerd sends it: HEADs, POSTs and the retried /v2/ ping.
        string[] requests = ["/v2/", "/v2/alice/app/blobs/sha256:" + new string('a', 64), "/v2/alice/app/manifests/v1"];
        for (var i = 0; i < 13; i++)
        {
            using var refused = await SendAsync(requests[i % requests.Length], "alice", "alice-pasword", i % 2 == 0 ? HttpMethod.Head : HttpMethod.Get);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var right = await SendAsync("/v2/", "alice", "alice-password");
        using var other = await SendAsync("/v2/", "bob", "bob-password");

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Guessing_a_users_password_locks_that_user_at_that_address_only()
    {
        for (var i = 0; i < 10; i++)
        {
            using var guess = await SendAsync("/v2/", "alice", $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        using var alice = await SendAsync("/v2/", "alice", "alice-password");
        using var bob = await SendAsync("/v2/", "bob", "bob-password");

        Assert.Equal((HttpStatusCode)429, alice.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string user, string password, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = Accounts.Basic(user, password);
        return await Server.Client.SendAsync(request);
    }
}
