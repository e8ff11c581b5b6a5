using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Client;
using Wharf.Core.Replication;
using Wharf.Core.Services;
using Wharf.IntegrationTests.Audit;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Replication;

/// <summary>
/// Pull rules (docs/design/replication.md) from a real Distribution 2.8.2 on the fake clock: each due pass lists the
/// source and writes a job per matching tag whose digest differs from Wharf's, and the worker copies it in byte-identical;
/// an unchanged tag writes no job; a tag pushed to the source arrives after the interval; a source that cannot be listed
/// leaves the pass's error and the next pass tries again.
/// </summary>
public sealed class PullReplicationTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private static Dictionary<string, string> PullRule(string repositories) => new()
    {
        ["Name"] = "alpine",
        ["Direction"] = "pull",
        ["Registry"] = "dr",
        ["Repositories:0"] = repositories,
        ["Tags:0"] = "3.*",
        ["Interval"] = "00:05:00",
    };

    [Fact]
    public async Task A_tag_pushed_to_the_source_arrives_after_the_interval_and_an_unchanged_tag_writes_no_job()
    {
        await using var repl = await ReplicationHarness.StartAsync(PullRule("library/alpine"));
        var first = await PushToSourceAsync(repl.Target, "library/alpine", "3.19");
        await PushToSourceAsync(repl.Target, "library/alpine", "latest"); // not matched by 3.*

        Assert.Equal(1, await repl.PassAsync()); // the first pass is due at once; its job is copied in the same pass
        await AssertLocalAsync(repl, "library/alpine", "3.19", first);
        Assert.False((await LocalAsync(repl, "library/alpine", "latest")).IsOk);
        Assert.Equal(0, await repl.PassAsync()); // no pass due, no job

        var second = await PushToSourceAsync(repl.Target, "library/alpine", "3.20");
        repl.Audit.Time.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await repl.PassAsync());
        Assert.False((await LocalAsync(repl, "library/alpine", "3.20")).IsOk);
        repl.Audit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await repl.PassAsync()); // 3.20 only: 3.19 has the source's digest already
        await AssertLocalAsync(repl, "library/alpine", "3.20", second);

        var jobs = await repl.Jobs.ListAsync(null, null, 100, CancellationToken.None);
        Assert.Equal([("3.20", ReplicationJobStates.Done), ("3.19", ReplicationJobStates.Done)], jobs.Select(j => (j.Reference, j.State)));
        var pass = Assert.Single(await repl.Jobs.PassesAsync(CancellationToken.None));
        Assert.Equal(("alpine", 1, (string?)null), (pass.Rule, pass.LastJobs, pass.LastError));
        Assert.Equal(repl.Audit.Time.GetUtcNow() + Interval, pass.NextPassAt);

        var moved = await PushToSourceAsync(repl.Target, "library/alpine", "3.19"); // the tag moves at the source
        repl.Audit.Time.Advance(Interval);
        Assert.Equal(1, await repl.PassAsync());
        await AssertLocalAsync(repl, "library/alpine", "3.19", moved);
    }

    [Fact]
    public async Task A_wildcard_is_listed_from_the_source_catalog_and_a_source_that_cannot_be_listed_records_the_error()
    {
        await using var repl = await ReplicationHarness.StartAsync(PullRule("library/*"));
        var alpine = await PushToSourceAsync(repl.Target, "library/alpine", "3.19");
        var busybox = await PushToSourceAsync(repl.Target, "library/busybox", "3.0");
        await PushToSourceAsync(repl.Target, "other/alpine", "3.19");

        Assert.Equal(2, await repl.PassAsync());
        await AssertLocalAsync(repl, "library/alpine", "3.19", alpine);
        await AssertLocalAsync(repl, "library/busybox", "3.0", busybox);
        Assert.False((await LocalAsync(repl, "other/alpine", "3.19")).IsOk);

        repl.Relay.Cut();
        repl.Audit.Time.Advance(Interval);
        Assert.Equal(0, await repl.PassAsync());
        var failed = Assert.Single(await repl.Jobs.PassesAsync(CancellationToken.None));
        Assert.Contains("unreachable", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(repl.Audit.Time.GetUtcNow() + Interval, failed.NextPassAt);

        repl.Relay.Restore();
        var next = await PushToSourceAsync(repl.Target, "library/alpine", "3.20");
        repl.Audit.Time.Advance(Interval);
        Assert.Equal(1, await repl.PassAsync());
        await AssertLocalAsync(repl, "library/alpine", "3.20", next);
        Assert.Null(Assert.Single(await repl.Jobs.PassesAsync(CancellationToken.None)).LastError);
    }

    [Fact]
    public async Task A_pulled_image_over_the_namespace_quota_is_refused_as_a_push_would_be_and_the_job_keeps_the_reason()
    {
        await using var repl = await ReplicationHarness.StartAsync(PullRule("library/alpine"), new Dictionary<string, string> { ["Quotas:Namespaces:library"] = "1000B" });
        await PushToSourceAsync(repl.Target, "library/alpine", "3.19"); // a 4 KiB layer

        Assert.Equal(1, await repl.PassAsync());

        var job = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Pending, 1), (job.State, job.Attempts));
        Assert.Contains("quota", job.LastError, StringComparison.Ordinal); // the registry's own DENIED message, through the envelope
        Assert.False((await LocalAsync(repl, "library/alpine", "3.19")).IsOk);
    }

    [Fact]
    public async Task Two_instances_due_at_once_list_a_rule_once()
    {
        await using var repl = await ReplicationHarness.StartAsync(PullRule("library/alpine"));
        await PushToSourceAsync(repl.Target, "library/alpine", "3.19");
        var other = ActivatorUtilities.CreateInstance<Wharf.Http.Replication.ReplicationWorker>(repl.Audit.Server.Services);

        var passes = await Task.WhenAll(repl.PassAsync(), other.RunOnceAsync(CancellationToken.None));
        await repl.PassAsync();
        other.Dispose();

        Assert.Equal(1, passes.Sum());
        var job = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Done, 1), (job.State, job.Attempts));
    }

    [Fact]
    public async Task The_API_shows_a_pull_rule_with_its_last_pass_and_a_repository_s_jobs_to_whoever_may_pull_it_and_run_makes_a_pass_due()
    {
        await using var repl = await ReplicationHarness.StartAsync(PullRule("team/alpine"));
        var image = await PushToSourceAsync(repl.Target, "team/alpine", "3.19");
        Assert.Equal(1, await repl.PassAsync());

        var body = await GetAsync(repl, "/api/replication", AuditHarness.Admin);
        var rule = Assert.Single(body.GetProperty("rules").EnumerateArray());
        Assert.Equal(("alpine", "pull", "00:05:00"), (rule.GetProperty("name").GetString(), rule.GetProperty("direction").GetString(), rule.GetProperty("interval").GetString()));
        var last = rule.GetProperty("lastPass");
        Assert.Equal(("2026-01-01T00:00:00.000Z", 1), (last.GetProperty("at").GetString(), last.GetProperty("jobs").GetInt32()));
        Assert.Equal("2026-01-01T00:05:00.000Z", rule.GetProperty("nextPassAt").GetString());

        var mine = await GetAsync(repl, "/api/replication?repository=team/alpine", AuditHarness.Alice); // alice may pull team/**
        Assert.False(mine.TryGetProperty("rules", out _));
        var job = Assert.Single(mine.GetProperty("jobs").EnumerateArray());
        Assert.Equal(("alpine", "3.19", image.Digest, "done"), (job.GetProperty("rule").GetString(), job.GetProperty("reference").GetString(),
            job.GetProperty("digest").GetString(), job.GetProperty("state").GetString()));
        Assert.Empty((await GetAsync(repl, "/api/replication?repository=team/other", AuditHarness.Alice)).GetProperty("jobs").EnumerateArray());
        using (var everything = await repl.Audit.SendAsync(HttpMethod.Get, "/api/replication", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.Forbidden, everything.StatusCode);
        }

        using (var hidden = await repl.Audit.SendAsync(HttpMethod.Get, "/api/replication?repository=secret/app", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode); // as an unknown repository: nothing tells it exists
        }

        var moved = await PushToSourceAsync(repl.Target, "team/alpine", "3.19");
        Assert.Equal(0, await repl.PassAsync()); // the next pass is 5 minutes away
        using (var run = await repl.Audit.SendAsync(HttpMethod.Post, "/api/replication/alpine/run", AuditHarness.Admin))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        Assert.Equal(1, await repl.PassAsync());
        await AssertLocalAsync(repl, "team/alpine", "3.19", moved);
    }

    private static async Task<JsonElement> GetAsync(ReplicationHarness repl, string path, System.Net.Http.Headers.AuthenticationHeaderValue who)
    {
        using var response = await repl.Audit.SendAsync(HttpMethod.Get, path, who);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(string Digest, byte[] Manifest)> PushToSourceAsync(RegistryClient source, string repository, string tag)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid()}}"}""");
        var layer = RandomNumberGenerator.GetBytes(4096);
        foreach (var blob in new[] { config, layer })
        {
            using var content = new MemoryStream(blob);
            await source.PushBlobAsync(repository, Wharf.Core.Protocol.Digest.Compute(blob), blob.Length, content);
        }

        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}",
             "config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{Wharf.Core.Protocol.Digest.Compute(config)}}","size":{{config.Length}}},
             "layers":[{"mediaType":"{{MediaTypes.OciLayerGzip}}","digest":"{{Wharf.Core.Protocol.Digest.Compute(layer)}}","size":{{layer.Length}}}]}
            """);
        var digest = await source.PutManifestAsync(repository, tag, MediaTypes.OciManifest, manifest);
        return (digest.Value, manifest);
    }

    private static async Task<Wharf.Core.Errors.Result<Wharf.Core.Metadata.StoredManifest>> LocalAsync(ReplicationHarness repl, string repository, string tag) =>
        await repl.Audit.Server.Services.GetRequiredService<ManifestService>().GetAsync(repository, tag, CancellationToken.None);

    private static async Task AssertLocalAsync(ReplicationHarness repl, string repository, string tag, (string Digest, byte[] Manifest) expected)
    {
        var local = await LocalAsync(repl, repository, tag);
        Assert.True(local.IsOk, $"{repository}:{tag} is not in Wharf");
        Assert.Equal(expected.Digest, local.Value.Digest.Value);
        Assert.Equal(expected.Manifest, local.Value.Payload);
    }
}
