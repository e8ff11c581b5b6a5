using System.Net;
using System.Text.Json;
using Wharf.IntegrationTests.Audit;

namespace Wharf.IntegrationTests.Replication;

/// <summary><c>GET /api/replication</c> and <c>POST /api/replication/{rule}/run</c>: the rules' status and the jobs, and a run that catches a target up.</summary>
public sealed class ReplicationApiTests
{
    [Fact]
    public async Task The_API_lists_each_rule_with_its_counts_and_newest_error_and_the_jobs_newest_first()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        repl.Relay.Cut();
        var image = await repl.Registry.PushImageAsync("team/app", "v1");
        await repl.Registry.PushImageAsync("team/app", "latest"); // no job
        Assert.Equal(1, await repl.PassAsync());

        var body = await GetAsync(repl, "/api/replication");
        var rule = Assert.Single(body.GetProperty("rules").EnumerateArray());
        Assert.Equal(("releases", true, "push", "dr"), (rule.GetProperty("name").GetString(), rule.GetProperty("configured").GetBoolean(),
            rule.GetProperty("direction").GetString(), rule.GetProperty("registry").GetString()));
        Assert.Equal((1, 0, 0), (rule.GetProperty("pending").GetInt32(), rule.GetProperty("done").GetInt32(), rule.GetProperty("dead").GetInt32()));
        Assert.Contains("unreachable", rule.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var job = Assert.Single(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(("team/app", "v1", image.Digest, "pending", 1), (job.GetProperty("repository").GetString(), job.GetProperty("reference").GetString(),
            job.GetProperty("digest").GetString(), job.GetProperty("state").GetString(), job.GetProperty("attempts").GetInt32()));

        Assert.Empty((await GetAsync(repl, "/api/replication?state=done")).GetProperty("jobs").EnumerateArray());
        using var bad = await repl.Audit.SendAsync(HttpMethod.Get, "/api/replication?state=stuck", AuditHarness.Admin);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_run_writes_a_job_for_every_matching_tag_already_pushed_and_the_worker_copies_them()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        var v1 = await repl.Registry.PushImageAsync("team/app", "v1");
        var v2 = await repl.Registry.PushImageAsync("team/app", "v2");
        await repl.Registry.PushImageAsync("team/app", "latest");
        Assert.Equal(1, await repl.PassAsync()); // the two pushes' jobs, one line: v1 first
        Assert.Equal(1, await repl.PassAsync());

        using (var run = await repl.Audit.SendAsync(HttpMethod.Post, "/api/replication/releases/run", AuditHarness.Admin))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
            Assert.Equal(2, JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").GetInt32());
        }

        using (var unknown = await repl.Audit.SendAsync(HttpMethod.Post, "/api/replication/nope/run", AuditHarness.Admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        Assert.Equal(1, await repl.PassAsync());
        Assert.Equal(1, await repl.PassAsync());
        Assert.Equal(0, await repl.PassAsync());
        Assert.Equal(v1.Manifest, (await repl.Target.GetManifestAsync("team/app", "v1"))?.Bytes.ToArray());
        Assert.Equal(v2.Manifest, (await repl.Target.GetManifestAsync("team/app", "v2"))?.Bytes.ToArray());
        Assert.Null(await repl.Target.GetManifestAsync("team/app", "latest"));
        var rule = Assert.Single((await GetAsync(repl, "/api/replication")).GetProperty("rules").EnumerateArray());
        Assert.Equal(4, rule.GetProperty("done").GetInt32());
    }

    private static async Task<JsonElement> GetAsync(ReplicationHarness repl, string path)
    {
        using var response = await repl.Audit.SendAsync(HttpMethod.Get, path, AuditHarness.Admin);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
