using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wharf.Hosting;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Metadata;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Audit;

/// <summary>The audit log over real HTTP: what is recorded, who may read it, its filters and pages, and its pruning.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task Pushes_and_deletes_are_recorded_with_actor_client_and_request_id()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        var registry = audit.Registry;
        var image = await registry.PushImageAsync("team/app", "v1");
        using (var tagged = await registry.SendAsync(HttpMethod.Put, "/v2/team/app/manifests/v2", image.Manifest, MediaTypes.OciManifest, r => r.Headers.Add("X-Request-Id", "push-v2")))
        {
            Assert.Equal(HttpStatusCode.Created, tagged.StatusCode);
        }

        using (var tagDelete = await audit.SendAsync(HttpMethod.Delete, "/api/tags/team/app?tag=v1", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.NoContent, tagDelete.StatusCode);
        }

        using (var manifestDelete = await registry.DeleteAsync($"/v2/team/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, manifestDelete.StatusCode);
        }

        await registry.PushImageAsync("team/other", "v1");
        using (var repositoryDelete = await audit.SendAsync(HttpMethod.Delete, "/api/repository/team/other", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.NoContent, repositoryDelete.StatusCode);
        }

        var (events, _) = await audit.QueryAsync();

        Assert.Equal(
            ["repository.delete", "manifest.push", "manifest.delete", "tag.delete", "manifest.push", "manifest.push"],
            events.Select(e => e.Text("action")));
        Assert.All(events, e =>
        {
            Assert.Equal("alice", e.Text("actor"));
            Assert.Equal("user", e.Text("actorKind"));
            Assert.Equal("127.0.0.1", e.Text("client"));
            Assert.Equal(AuditHarness.Start, DateTimeOffset.Parse(e.Text("at")!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.False(string.IsNullOrEmpty(e.Text("requestId")));
        });
        var pushV2 = events[4];
        Assert.Equal(("team/app", "v2", image.Digest, "push-v2"), (pushV2.Text("repository"), pushV2.Text("target"), pushV2.Text("detail"), pushV2.Text("requestId")));
        Assert.Equal(("team/app", image.Digest), (events[2].Text("repository"), events[2].Text("target")));
        Assert.Equal(("team/app", "v1"), (events[3].Text("repository"), events[3].Text("target")));
        Assert.Equal("team/other", events[0].Text("repository"));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.GetProperty("id").GetInt64() > p.Second.GetProperty("id").GetInt64()), "newest first");
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Logins_are_recorded_failures_everywhere_and_successes_where_one_signs_in(string mode)
    {
        await using var audit = await AuditHarness.StartAsync(mode);
        var mallory = Accounts.Basic("mallory\r\nforged", "guess");

        using (var failed = await audit.SendAsync(HttpMethod.Get, mode == "basic" ? "/v2/" : "/auth/token?service=wharf", mallory, "bad-login"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        if (mode == "token")
        {
            using var token = await audit.SendAsync(HttpMethod.Get, "/auth/token?service=wharf", AuditHarness.Alice);
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        }

        using (var session = await audit.SendAsync(HttpMethod.Post, "/api/session", null, content: JsonContent.Create(new { username = "bob", password = "bob-password" })))
        {
            Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        }

        // A Basic-authenticated request is not a login of its own: no row per request.
        using (var api = await audit.SendAsync(HttpMethod.Get, "/api/repositories", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        var (failures, _) = await audit.QueryAsync("?action=login.failure");
        var (successes, _) = await audit.QueryAsync("?action=login.success");

        var failure = Assert.Single(failures);
        Assert.Equal(("mallory\r\nforged", "user", "bad-login"), (failure.Text("actor"), failure.Text("actorKind"), failure.Text("requestId")));
        Assert.Equal(mode == "basic" ? "/v2/" : "/auth/token", failure.Text("detail"));
        (string, string)[] expected = mode == "token" ? [("bob", "/api/session"), ("alice", "/auth/token")] : [("bob", "/api/session")];
        Assert.Equal(expected, successes.Select(e => (e.Text("actor")!, e.Text("detail")!)));
    }

    [Fact]
    public async Task Filters_narrow_by_actor_action_repository_and_time()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        await audit.Registry.PushImageAsync("team/app", "v1");
        audit.Time.Advance(TimeSpan.FromHours(2));
        await audit.Registry.PushImageAsync("team/web", "v1");
        using (await audit.SendAsync(HttpMethod.Get, "/v2/", Accounts.Basic("bob", "wrong"))) { }

        Assert.Equal(["team/web", "team/app"], (await audit.QueryAsync("?actor=alice")).Events.Select(e => e.Text("repository")));
        Assert.Equal(["bob"], (await audit.QueryAsync("?action=login.failure")).Events.Select(e => e.Text("actor")));
        Assert.Equal(["team/app"], (await audit.QueryAsync("?repository=team/app")).Events.Select(e => e.Text("repository")));
        Assert.Equal(["team/web"], (await audit.QueryAsync("?actor=alice&since=1h")).Events.Select(e => e.Text("repository")));
        Assert.Equal(["team/app"], (await audit.QueryAsync("?until=2026-01-01T01:00:00Z")).Events.Select(e => e.Text("repository")));
        Assert.Equal(["team/web"], (await audit.QueryAsync("?since=2026-01-01T02:00:00Z&action=manifest.push")).Events.Select(e => e.Text("repository")));
        Assert.Empty((await audit.QueryAsync("?actor=carol")).Events);
    }

    [Fact]
    public async Task Pages_follow_the_link_to_the_next_page_without_gaps_or_repeats()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        for (var i = 0; i < 5; i++)
        {
            using (await audit.SendAsync(HttpMethod.Get, "/v2/", Accounts.Basic("guesser" + i, "wrong"))) { }
        }

        var seen = new List<string>();
        var query = "?n=2&action=login.failure";
        var pages = 0;
        while (true)
        {
            var (events, next) = await audit.QueryAsync(query);
            pages++;
            seen.AddRange(events.Select(e => e.Text("actor")!));
            if (next is null)
            {
                break;
            }

            var url = next;
            Assert.Contains("action=login.failure", url, StringComparison.Ordinal);
            query = url["/api/audit".Length..];
        }

        Assert.Equal(3, pages);
        Assert.Equal(["guesser4", "guesser3", "guesser2", "guesser1", "guesser0"], seen);
    }

    [Theory]
    [InlineData("?n=0")]
    [InlineData("?n=1001")]
    [InlineData("?last=abc")]
    [InlineData("?since=yesterday")]
    [InlineData("?until=-5d")]
    public async Task A_malformed_query_is_the_callers_mistake(string query)
    {
        await using var audit = await AuditHarness.StartAsync("basic");

        using var response = await audit.SendAsync(HttpMethod.Get, "/api/audit" + query, AuditHarness.Admin);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\":\"UNSUPPORTED\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task Only_admins_read_the_audit_log(string mode)
    {
        await using var audit = await AuditHarness.StartAsync(mode);

        using var anonymous = await audit.SendAsync(HttpMethod.Get, "/api/audit", null);
        using var alice = await audit.SendAsync(HttpMethod.Get, "/api/audit", AuditHarness.Alice);
        using var admin = await audit.SendAsync(HttpMethod.Get, "/api/audit", AuditHarness.Admin);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, alice.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_pruned_on_the_schedule()
    {
        await using var audit = await AuditHarness.StartAsync("basic", new Dictionary<string, string?> { ["Audit:Retention"] = "30d", ["Audit:PruneInterval"] = "1d" });
        var pruner = audit.Server.Services.GetServices<IHostedService>().OfType<AuditPruner>().Single();
        using (await audit.SendAsync(HttpMethod.Get, "/v2/", Accounts.Basic("old", "wrong"))) { }

        // Day 1: nothing is old enough yet.
        var first = pruner.NextPruneAsync();
        audit.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(30)));
        using (await audit.SendAsync(HttpMethod.Get, "/v2/", Accounts.Basic("young", "wrong"))) { }

        // Day 30.5: "old" (30.5 days) is past the retention, "young" (29.5 days) is not.
        var second = pruner.NextPruneAsync();
        audit.Time.Advance(TimeSpan.FromDays(29.5));
        Assert.Equal(1, await second.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(["young"], (await audit.QueryAsync()).Events.Select(e => e.Text("actor")));
    }

    [Fact]
    public async Task A_failed_audit_write_never_fails_the_push()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        var database = audit.Server.Services.GetRequiredService<SqlDatabase>();
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var drop = connection.Command("DROP TABLE audit_events", transaction);
            return await drop.ExecuteNonQueryAsync();
        }, CancellationToken.None);

        var image = await audit.Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(HttpStatusCode.OK, await audit.Registry.ManifestStatusAsync("team/app", "v1"));
        Assert.NotEmpty(image.Digest);
    }
}
