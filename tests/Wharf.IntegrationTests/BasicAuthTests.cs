using System.Net;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Auth:Mode basic: Basic credentials on every request, policies, tokens as passwords, throttling.</summary>
public sealed class BasicAuthTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;

    private WharfTestServer Server => _server!;

    private Registry Registry => new(Server);

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync(AuthSettings.For("basic"), _time);
        await Server.AddUserAsync("alice", "alice-password");
        await Server.AddUserAsync("bob", "bob-password", "readers");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    private void As(string? user, string? password) =>
        Server.Client.DefaultRequestHeaders.Authorization = user is null ? null : Accounts.Basic(user, password!);

    [Fact]
    public async Task Base_without_credentials_is_401_with_a_Basic_challenge()
    {
        using var response = await Registry.GetAsync("/v2/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"Wharf\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("UNAUTHORIZED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Base_with_a_wrong_password_is_401_and_with_the_right_one_200()
    {
        As("alice", "wrong");
        using (var wrong = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        As("nobody", "alice-password");
        using (var unknown = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        As("alice", "alice-password");
        using var right = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task A_user_pushes_and_pulls_in_her_own_namespace_and_a_granted_one()
    {
        As("alice", "alice-password");

        var own = await Registry.PushImageAsync("alice/app", "v1");
        var team = await Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("alice/app", "v1"));
        Assert.Equal(own.Config.Size, (await Registry.GetBlobBytesAsync("alice/app", own.Config.Digest)).Length);
        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("team/app", team.Digest));
    }

    [Fact]
    public async Task A_reader_pulls_but_is_denied_push_and_delete()
    {
        As("alice", "alice-password");
        var image = await Registry.PushImageAsync("team/app", "v1");
        As("bob", "bob-password");

        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("team/app", "v1"));
        using var push = await Registry.SendAsync(HttpMethod.Post, "/v2/team/app/blobs/uploads/", []);
        using var put = await Registry.PutManifestAsync("team/app", "v2", image.Manifest);
        using var delete = await Registry.DeleteAsync($"/v2/team/app/manifests/{image.Digest}");

        foreach (var response in new[] { push, put, delete })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("DENIED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("team/app", "v1"));
    }

    [Fact]
    public async Task A_denial_is_the_same_for_an_existing_and_a_missing_repository()
    {
        As("alice", "alice-password");
        var image = await Registry.PushImageAsync("alice/secret", "v1");

        foreach (var (user, password) in new (string?, string?)[] { ("bob", "bob-password"), (null, null) })
        {
            As(user, password);
            var answers = new List<string>();
            foreach (var repository in new[] { "alice/secret", "alice/missing" })
            {
                foreach (var path in new[] { $"/v2/{repository}/manifests/v1", $"/v2/{repository}/blobs/{image.Config.Digest}", $"/v2/{repository}/tags/list" })
                {
                    using var response = await Registry.GetAsync(path);
                    answers.Add($"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {await response.Content.ReadAsStringAsync()}");
                }
            }

            Assert.Equal(answers[..3], answers[3..]);
            Assert.All(answers, a => Assert.StartsWith(user is null ? "401" : "403", a, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Anonymous_pull_of_a_public_repository_works_while_push_is_refused()
    {
        As("alice", "alice-password");
        var image = await Registry.PushImageAsync("public/tools", "v1");
        As(null, null);

        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("public/tools", "v1"));
        Assert.Equal(image.Config.Size, (await Registry.GetBlobBytesAsync("public/tools", image.Config.Digest)).Length);
        Assert.Equal(["v1"], await Registry.TagsAsync("public/tools"));
        using var push = await Registry.SendAsync(HttpMethod.Post, "/v2/public/tools/blobs/uploads/", []);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        As("bob", "bob-password");
        using var bobPush = await Registry.SendAsync(HttpMethod.Post, "/v2/public/tools/blobs/uploads/", []);
        Assert.Equal(HttpStatusCode.Forbidden, bobPush.StatusCode);
    }

    [Fact]
    public async Task The_catalog_lists_only_what_the_caller_may_pull()
    {
        As("alice", "alice-password");
        foreach (var repository in new[] { "alice/a", "alice/b", "public/p", "team/t" })
        {
            await Registry.PushImageAsync(repository, "v1");
        }

        As("bob", "bob-password");
        using var bob = await Registry.GetAsync("/v2/_catalog?n=1");
        Assert.Equal(["public/p"], await Json.RepositoriesAsync(bob));
        using var bobAll = await Registry.GetAsync("/v2/_catalog");
        Assert.Equal(["public/p", "team/t"], await Json.RepositoriesAsync(bobAll));
        As("alice", "alice-password");
        using var alice = await Registry.GetAsync("/v2/_catalog");
        Assert.Equal(["alice/a", "alice/b", "public/p", "team/t"], await Json.RepositoriesAsync(alice));
        As(null, null);
        using var anonymous = await Registry.GetAsync("/v2/_catalog");
        Assert.Equal(["public/p"], await Json.RepositoriesAsync(anonymous));
    }

    [Fact]
    public async Task A_mount_reuses_only_blobs_of_repositories_the_caller_may_pull()
    {
        As("alice", "alice-password");
        var secret = await Registry.PushImageAsync("alice/secret", "v1");
        await Server.AddUserAsync("carol", "carol-password");
        As("carol", "carol-password");

        using var withoutFrom = await Registry.SendAsync(HttpMethod.Post, $"/v2/carol/app/blobs/uploads/?mount={secret.Config.Digest}", []);
        using var withFrom = await Registry.SendAsync(HttpMethod.Post, $"/v2/carol/app/blobs/uploads/?mount={secret.Config.Digest}&from=alice/secret", []);

        Assert.Equal(HttpStatusCode.Accepted, withoutFrom.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withFrom.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await Registry.BlobStatusAsync("carol/app", secret.Config.Digest));
        As("alice", "alice-password");
        using var own = await Registry.SendAsync(HttpMethod.Post, $"/v2/alice/other/blobs/uploads/?mount={secret.Config.Digest}", []);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Fact]
    public async Task A_robot_limited_to_one_repository_cannot_touch_another()
    {
        As("alice", "alice-password");
        await Registry.PushImageAsync("team/other", "v1");
        var (_, robot) = await Server.CreateTokenAsync("robot.ci", AccessTokenKind.Robot, ["repository:team/app:pull,push"]);
        As("robot.ci", robot);

        await Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(HttpStatusCode.Forbidden, await Registry.ManifestStatusAsync("team/other", "v1"));
        using var push = await Registry.SendAsync(HttpMethod.Post, "/v2/team/other/blobs/uploads/", []);
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        using var delete = await Registry.DeleteAsync("/v2/team/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        As("robot.other", robot);
        using var wrongName = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongName.StatusCode);
    }

    [Fact]
    public async Task A_personal_token_works_as_a_password_within_its_scopes_and_stops_at_once_when_revoked()
    {
        var (id, token) = await Server.CreateTokenAsync("alice", AccessTokenKind.Personal, ["repository:alice/**:pull,push"]);
        As("alice", token);

        await Registry.PushImageAsync("alice/app", "v1");
        using (var outside = await Registry.SendAsync(HttpMethod.Post, "/v2/team/app/blobs/uploads/", []))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        }

        await Server.RevokeTokenAsync(id);

        using var revoked = await Registry.HeadAsync("/v2/alice/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task An_expired_personal_token_is_refused()
    {
        var (_, token) = await Server.CreateTokenAsync("alice", AccessTokenKind.Personal, ["repository:alice/**:pull"], TimeSpan.FromHours(1));
        As("alice", token);
        using (var fresh = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        _time.Advance(TimeSpan.FromHours(1));

        using var expired = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Repeated_failed_logins_are_throttled_with_429_and_Retry_After_then_released()
    {
        for (var i = 0; i < 10; i++)
        {
            As("alice", $"guess-{i}"); // Ten different guesses: a resent identical one counts once.
            using var failed = await Registry.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        As("alice", "alice-password");
        using (var throttled = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
            Assert.Contains("TOOMANYREQUESTS", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromMinutes(5), throttled.Headers.RetryAfter?.Delta);
        }

        _time.Advance(TimeSpan.FromMinutes(5));

        using var released = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
    }
}
