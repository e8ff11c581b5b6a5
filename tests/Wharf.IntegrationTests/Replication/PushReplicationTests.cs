using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Replication;
using Wharf.Http.Replication;
using Wharf.IntegrationTests.Audit;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Metadata;

namespace Wharf.IntegrationTests.Replication;

/// <summary>
/// Push rules (docs/design/replication.md) against a real Distribution 2.8.2: a matching push is copied byte-identical
/// with its referrer, a push the rule does not match writes no job, a job whose target is down backs off on the fake clock
/// and completes once the target is back, and two workers never copy one job twice.
/// </summary>
public sealed class PushReplicationTests
{
    [Fact]
    public async Task A_push_matching_a_rule_arrives_at_Distribution_byte_identical_with_its_referrer_and_a_non_matching_push_writes_no_job()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        var image = await repl.Registry.PushImageAsync("team/app", "v1", layerCount: 2);
        var signature = await repl.Registry.PushImageAsync("team/app", subject: new Descriptor(MediaTypes.OciManifest, image.Digest, image.Manifest.Length));
        await repl.Registry.PushManifestAsync("team/app", "latest", image.Manifest); // tag not matched by v*

        var job = await repl.SingleJobAsync();
        Assert.Equal(("releases", "team/app", "v1", image.Digest, ReplicationJobStates.Pending), (job.Rule, job.Repository, job.Reference, job.Digest, job.State));
        Assert.Equal(1, await repl.PassAsync());

        var copied = await repl.Target.GetManifestAsync("team/app", "v1");
        Assert.NotNull(copied);
        Assert.Equal(image.Digest, copied.Digest.Value);
        Assert.Equal(image.Manifest, copied.Bytes.ToArray());
        foreach (var blob in image.Layers.Append(image.Config))
        {
            Assert.Equal(blob.Size, await repl.Target.HeadBlobAsync("team/app", Wharf.Core.Protocol.Digest.Parse(blob.Digest)));
        }

        var referrer = await repl.Target.GetManifestAsync("team/app", signature.Digest);
        Assert.NotNull(referrer);
        Assert.Equal(signature.Manifest, referrer.Bytes.ToArray());
        var referrers = await repl.Target.GetReferrersAsync("team/app", Wharf.Core.Protocol.Digest.Parse(image.Digest));
        Assert.Contains(signature.Digest, System.Text.Encoding.UTF8.GetString(referrers.Bytes.Span), StringComparison.Ordinal);
        Assert.Null(await repl.Target.GetManifestAsync("team/app", "latest"));

        job = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Done, 1, (string?)null), (job.State, job.Attempts, job.LastError));
        Assert.Equal(0, await repl.PassAsync());
    }

    [Fact]
    public async Task A_signed_multi_arch_index_arrives_at_Distribution_byte_identical_with_its_children_and_signature()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        var amd64 = await repl.Registry.PushImageAsync("team/multi");
        var arm64 = await repl.Registry.PushImageAsync("team/multi", layerCount: 2);
        var index = ManifestJson.Index([amd64.Descriptor, arm64.Descriptor]);
        var indexDigest = await repl.Registry.PushManifestAsync("team/multi", "v3", index, MediaTypes.OciIndex);
        var signature = await repl.Registry.PushImageAsync("team/multi", subject: new Descriptor(MediaTypes.OciIndex, indexDigest, index.Length));

        Assert.Equal(1, await repl.PassAsync());

        var copied = await repl.Target.GetManifestAsync("team/multi", "v3");
        Assert.Equal(indexDigest, copied?.Digest.Value);
        Assert.Equal(index, copied?.Bytes.ToArray());
        foreach (var child in new[] { amd64, arm64, signature })
        {
            Assert.Equal(child.Manifest, (await repl.Target.GetManifestAsync("team/multi", child.Digest))?.Bytes.ToArray());
            foreach (var blob in child.Layers.Append(child.Config))
            {
                Assert.Equal(blob.Size, await repl.Target.HeadBlobAsync("team/multi", Wharf.Core.Protocol.Digest.Parse(blob.Digest)));
            }
        }

        var referrers = await repl.Target.GetReferrersAsync("team/multi", Wharf.Core.Protocol.Digest.Parse(indexDigest));
        Assert.Contains(signature.Digest, System.Text.Encoding.UTF8.GetString(referrers.Bytes.Span), StringComparison.Ordinal);
        Assert.Equal(ReplicationJobStates.Done, (await repl.SingleJobAsync()).State);
    }

    [Fact]
    public async Task A_job_whose_target_is_down_is_retried_after_its_backoff_and_completes_once_the_target_is_back()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        repl.Relay.Cut();
        var image = await repl.Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(1, await repl.PassAsync());
        var failed = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Pending, 1), (failed.State, failed.Attempts));
        Assert.NotNull(failed.LastError);
        Assert.InRange(failed.NextAttemptAt - AuditHarness.Start, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)); // within MinBackoff, jittered
        Assert.Equal(0, await repl.PassAsync()); // not due before its backoff

        repl.Relay.Restore();
        Assert.Equal(0, await repl.PassAsync()); // still not due: the clock decides, not the target
        repl.Audit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await repl.PassAsync());

        var copied = await repl.Target.GetManifestAsync("team/app", "v1");
        Assert.Equal(image.Manifest, copied?.Bytes.ToArray());
        var done = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Done, 2), (done.State, done.Attempts));
    }

    [Fact]
    public async Task A_job_that_keeps_failing_goes_dead_after_MaxAttempts_with_its_last_error()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        repl.Relay.Cut();
        await repl.Registry.PushImageAsync("team/app", "v1");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(1, await repl.PassAsync());
            repl.Audit.Time.Advance(TimeSpan.FromSeconds(4)); // at least any backoff (MaxBackoff)
        }

        Assert.Equal(0, await repl.PassAsync());
        var dead = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Dead, 3), (dead.State, dead.Attempts));
        Assert.Contains("unreachable", dead.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_workers_passing_at_once_copy_each_job_once_and_a_later_push_of_the_line_waits_for_the_one_before()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        var first = await repl.Registry.PushImageAsync("team/app", "v1");
        var second = await repl.Registry.PushImageAsync("team/app", "v1");
        var other = ActivatorUtilities.CreateInstance<ReplicationWorker>(repl.Audit.Server.Services); // another instance: its own lease owner

        var passes = await Task.WhenAll(repl.PassAsync(), other.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, passes.Sum()); // the line's head only: the second push's job waits behind it
        passes = await Task.WhenAll(repl.PassAsync(), other.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, passes.Sum());
        passes = await Task.WhenAll(repl.PassAsync(), other.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, passes.Sum());
        other.Dispose();

        var jobs = await repl.Jobs.ListAsync(null, null, 100, CancellationToken.None);
        Assert.Equal([(second.Digest, 1), (first.Digest, 1)], jobs.Select(j => (j.Digest, j.Attempts)));
        Assert.All(jobs, j => Assert.Equal(ReplicationJobStates.Done, j.State));
        Assert.Equal(second.Manifest, (await repl.Target.GetManifestAsync("team/app", "v1"))?.Bytes.ToArray()); // the later push is the tag
    }

    [Fact]
    public async Task Done_jobs_are_removed_after_the_retention_and_dead_ones_stay()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        await repl.Registry.PushImageAsync("team/app", "v1");
        Assert.Equal(1, await repl.PassAsync());
        repl.Relay.Cut();
        await repl.Registry.PushImageAsync("team/other", "v1");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            repl.Audit.Time.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal(1, await repl.PassAsync());
        }

        repl.Audit.Time.Advance(TimeSpan.FromDays(6));
        await repl.PassAsync();
        Assert.Equal(2, (await repl.Jobs.ListAsync(null, null, 10, CancellationToken.None)).Count); // not yet 7 days

        repl.Audit.Time.Advance(TimeSpan.FromDays(1));
        await repl.PassAsync();
        var left = Assert.Single(await repl.Jobs.ListAsync(null, null, 10, CancellationToken.None));
        Assert.Equal(("team/other", ReplicationJobStates.Dead), (left.Repository, left.State));
    }

    [Fact]
    public async Task Without_rules_a_push_writes_no_job_and_the_manifest_writer_gets_no_jobs_store()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        await audit.Registry.PushImageAsync("team/app", "v1");

        Assert.Null(audit.Server.Services.GetService<SqlReplicationJobs>());
        Assert.Null(audit.Server.Services.GetService<ReplicationWorker>());
        Assert.Empty(await audit.Server.Services.GetRequiredService<IReplicationJobs>().ListAsync(null, null, 10, CancellationToken.None));
    }
}
