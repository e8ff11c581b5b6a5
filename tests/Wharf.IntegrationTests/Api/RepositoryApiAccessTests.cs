using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>
/// Search and the repository API show only what the caller may pull, in basic and token mode: alice owns alice/**
/// and may push team/**, bob (group readers) may pull team/**, everyone may pull public/**.
/// </summary>
public sealed class RepositoryApiAccessTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private async Task<WharfTestServer> StartAsync(string mode, Dictionary<string, string?>? settings = null)
    {
        var server = await WharfTestServer.StartAsync(settings ?? AuthSettings.For(mode), _time);
        await AuthSettings.AddUsersAsync(server);
        var blobs = server.Services.GetRequiredService<IBlobIndex>();
        var info = server.Services.GetRequiredService<IRepositoryInfoStore>();
        foreach (var (name, description) in new[]
        {
            ("public/app", "a public secret-free app"),
            ("team/secret-service", "the team's service"),
            ("alice/private", "alice's secret notes"),
            ("bob/own", "bob's things"),
        })
        {
            await blobs.LinkAsync(name, new BlobInfo(Digest.Compute(Encoding.UTF8.GetBytes(name)), 1), null, CancellationToken.None);
            Assert.True(await info.UpdateAsync(name, description, null, CancellationToken.None));
        }

        return server;
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Listings_and_searches_show_only_what_the_caller_may_pull(string mode)
    {
        await using var server = await StartAsync(mode);
        using var anonymous = new ApiClient(server);
        using var bob = new ApiClient(server, Accounts.Basic("bob", "bob-password"));
        using var alice = new ApiClient(server, Accounts.Basic("alice", "alice-password"));

        Assert.Equal(["public/app"], await anonymous.RepositoriesAsync());
        Assert.Equal(["bob/own", "public/app", "team/secret-service"], await bob.RepositoriesAsync());
        Assert.Equal(["alice/private", "public/app", "team/secret-service"], await alice.RepositoriesAsync());
        Assert.Equal(["public/app"], await anonymous.SearchAsync("secret"));
        Assert.Equal(["team/secret-service", "public/app"], await bob.SearchAsync("secret"));
        Assert.Equal(["team/secret-service", "alice/private", "public/app"], await alice.SearchAsync("secret"));
        var (_, page) = await bob.GetAsync("/api/repositories?q=secret");
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        var (_, search) = await bob.GetAsync("/v1/search?q=secret");
        Assert.Equal(2, search.GetProperty("num_results").GetInt32());
    }

    [Fact]
    public async Task Docker_search_in_token_mode_sees_what_its_user_may_pull_through_a_catalog_token()
    {
        await using var server = await StartAsync("token");
        // What dockerd does after `docker login`: a token for registry:catalog:search, sent as Bearer to /v1/search.
        var token = await new TokenClient(server).TokenAsync(Accounts.Basic("bob", "bob-password"), "registry:catalog:search");
        using var bob = new ApiClient(server, Accounts.Bearer(token));

        Assert.Equal(["team/secret-service", "public/app"], await bob.SearchAsync("secret"));
        Assert.Equal(["bob/own", "public/app", "team/secret-service"], await bob.RepositoriesAsync());
    }

    [Fact]
    public async Task A_catalog_token_lists_but_does_not_write()
    {
        await using var server = await StartAsync("token");
        var token = await new TokenClient(server).TokenAsync(Accounts.Basic("alice", "alice-password"), "registry:catalog:search");
        using var alice = new ApiClient(server, Accounts.Bearer(token));

        var read = await alice.GetAsync("/api/repository/team/secret-service");
        var write = await alice.PutAsync("/api/repository/team/secret-service", """{"description": "changed with a catalog token"}""");

        Assert.Equal(200, read.Status);
        Assert.Equal("""{"pull":true,"push":false,"delete":false}""", read.Body.GetProperty("permissions").GetRawText());
        Assert.Equal((403, "DENIED"), (write.Status, ApiClient.ErrorCode(write.Body)));
    }

    [Fact]
    public async Task A_repository_scoped_token_sees_only_its_repositories()
    {
        await using var server = await StartAsync("token");
        var token = await new TokenClient(server).TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/private:pull");
        using var scoped = new ApiClient(server, Accounts.Bearer(token));

        Assert.Equal(["alice/private"], await scoped.RepositoriesAsync());
        Assert.Equal(404, (await scoped.GetAsync("/api/repository/team/secret-service")).Status);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task A_repository_the_caller_may_not_pull_answers_exactly_like_an_unknown_one(string mode)
    {
        await using var server = await StartAsync(mode);
        using var bob = new ApiClient(server, Accounts.Basic("bob", "bob-password"));
        using var anonymous = new ApiClient(server);

        var hidden = await bob.GetAsync("/api/repository/alice/private");
        var unknown = await bob.GetAsync("/api/repository/alice/nothing-here");
        var hiddenPut = await bob.PutAsync("/api/repository/alice/private", """{"description": "mine now"}""");

        Assert.Equal(404, hidden.Status);
        Assert.Equal(unknown.Body.ToString(), hidden.Body.ToString());
        Assert.Equal((404, "NAME_UNKNOWN"), (hiddenPut.Status, ApiClient.ErrorCode(hiddenPut.Body)));
        Assert.Equal((401, "UNAUTHORIZED"), ((await anonymous.GetAsync("/api/repository/alice/private")).Status, ApiClient.ErrorCode((await anonymous.GetAsync("/api/repository/alice/private")).Body)));
        Assert.Equal(401, (await anonymous.GetAsync("/api/repository/alice/nothing-here")).Status);
        Assert.Equal(200, (await anonymous.GetAsync("/api/repository/public/app")).Status);
        var info = server.Services.GetRequiredService<IRepositoryInfoStore>();
        Assert.Equal("alice's secret notes", (await info.GetAsync("alice/private", CancellationToken.None))!.Summary.Description);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Describing_needs_push_and_permissions_say_what_the_caller_may_do(string mode)
    {
        await using var server = await StartAsync(mode);
        using var bob = new ApiClient(server, Accounts.Basic("bob", "bob-password"));
        using var alice = new ApiClient(server, Accounts.Basic("alice", "alice-password"));

        var denied = await bob.PutAsync("/api/repository/team/secret-service", """{"description": "bob was here"}""");
        var allowed = await alice.PutAsync("/api/repository/team/secret-service", """{"description": "reviewed"}""");

        Assert.Equal((403, "DENIED"), (denied.Status, ApiClient.ErrorCode(denied.Body)));
        Assert.Equal(200, allowed.Status);
        Assert.Equal("reviewed", allowed.Body.GetProperty("description").GetString());
        Assert.Equal("""{"pull":true,"push":false,"delete":false}""", (await bob.GetAsync("/api/repository/team/secret-service")).Body.GetProperty("permissions").GetRawText());
        Assert.Equal("""{"pull":true,"push":true,"delete":true}""", allowed.Body.GetProperty("permissions").GetRawText());
    }

    [Fact]
    public async Task The_web_ui_session_cookie_sees_the_same_as_its_user()
    {
        await using var server = await StartAsync("basic");
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        using var signIn = await http.PostAsync("/api/session", new StringContent(
            JsonSerializer.Serialize(new { username = "bob", password = "bob-password" }), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        var session = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["wharf_session=".Length..];
        using var bob = new ApiClient(server, session: session);

        Assert.Equal(["bob/own", "public/app", "team/secret-service"], await bob.RepositoriesAsync());
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task With_nothing_public_an_anonymous_search_is_401_so_that_podman_falls_back_to_the_signed_in_catalog(string mode)
    {
        var settings = AuthSettings.For(mode);
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Auth:Anonymous", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        await using var server = await StartAsync(mode, settings);
        using var anonymous = new ApiClient(server);
        using var bob = new ApiClient(server, Accounts.Basic("bob", "bob-password"));

        var (status, body) = await anonymous.GetAsync("/v1/search?q=secret");

        Assert.Equal((401, "UNAUTHORIZED"), (status, ApiClient.ErrorCode(body)));
        Assert.Equal(["team/secret-service"], await bob.SearchAsync("secret"));
        Assert.Empty(await anonymous.RepositoriesAsync());
    }

    [Fact]
    public async Task Wrong_credentials_are_401()
    {
        await using var server = await StartAsync("basic");
        using var wrong = new ApiClient(server, Accounts.Basic("bob", "nope"));

        Assert.Equal(401, (await wrong.GetAsync("/v1/search?q=x")).Status);
        Assert.Equal(401, (await wrong.GetAsync("/api/repositories")).Status);
    }
}
