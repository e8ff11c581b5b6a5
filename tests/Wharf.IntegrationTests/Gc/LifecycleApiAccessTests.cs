using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Gc;

/// <summary>Who may read the collector's status and delete repositories: alice may delete team/**, bob only pull it, carol nothing; admin is an admin.</summary>
public sealed class LifecycleApiAccessTests
{
    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Gc_status_is_for_admins_only(string mode)
    {
        await using var server = await StartAsync(mode);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, HttpMethod.Get, "/api/gc", null));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, HttpMethod.Get, "/api/gc", Accounts.Basic("alice", "alice-password")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, HttpMethod.Get, "/api/gc", Accounts.Basic("admin", "admin-password")));
        // An admin's access token narrowed by scopes does not carry the admin's full rights.
        var (_, narrowed) = await server.CreateTokenAsync("admin", AccessTokenKind.Personal, ["repository:team/**:pull"]);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, HttpMethod.Get, "/api/gc", Accounts.Basic("admin", narrowed)));
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Deleting_a_repository_needs_the_delete_right_and_a_refusal_reveals_nothing(string mode)
    {
        await using var server = await StartAsync(mode);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/app", null));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/app", Accounts.Basic("carol", "carol-password")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/nothing-here", Accounts.Basic("carol", "carol-password")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/app", Accounts.Basic("bob", "bob-password")));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/app", Accounts.Basic("alice", "alice-password")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(server, HttpMethod.Delete, "/api/repository/team/app", Accounts.Basic("alice", "alice-password")));
    }

    private static async Task<WharfTestServer> StartAsync(string mode)
    {
        var settings = AuthSettings.For(mode);
        settings["Auth:Admins:0"] = "admin";
        var server = await WharfTestServer.StartAsync(settings, new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        await AuthSettings.AddUsersAsync(server);
        await server.AddUserAsync("admin", "admin-password");
        await server.Services.GetRequiredService<IBlobIndex>().LinkAsync("team/app", new BlobInfo(Digest.Compute(Encoding.UTF8.GetBytes("x")), 1), null, CancellationToken.None);
        return server;
    }

    private static async Task<HttpStatusCode> StatusAsync(WharfTestServer server, HttpMethod method, string path, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        using var response = await server.Client.SendAsync(request);
        return response.StatusCode;
    }
}
