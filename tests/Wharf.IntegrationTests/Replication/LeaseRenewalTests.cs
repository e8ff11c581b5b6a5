using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Replication;
using Wharf.Http.Replication;
using Wharf.IntegrationTests.Audit;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Metadata;

namespace Wharf.IntegrationTests.Replication;

/// <summary>
/// A copy that outlives its lease (the target frozen by the relay while the fake clock runs on) keeps the lease by
/// renewing it every third of <c>Lease</c>: another instance never takes the job while it is being copied, and the job
/// is copied and recorded once; a renewal that finds the lease taken stops the copy. A pull rule's listing pass keeps
/// its lease the same way.
/// </summary>
public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10); // the option's default, which the harness keeps

    [Fact]
    public async Task A_copy_that_outlives_its_lease_renews_it_and_no_other_instance_claims_the_job()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        var image = await repl.Registry.PushImageAsync("team/app", "v1");
        repl.Relay.HoldAfter(0); // the copy's first request to the target waits

        var copying = repl.PassAsync();
        await repl.Relay.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        var lease = (await LeasedJobAsync(repl, after: DateTimeOffset.MinValue)).LeaseUntil!.Value;
        Assert.Equal(AuditHarness.Start + Lease, lease);

        var other = ActivatorUtilities.CreateInstance<ReplicationWorker>(repl.Audit.Server.Services); // another instance
        for (var step = 0; step < 6; step++)
        {
            repl.Audit.Time.Advance(TimeSpan.FromMinutes(4));
            lease = (await LeasedJobAsync(repl, after: lease)).LeaseUntil!.Value;
            Assert.Equal(0, await other.RunOnceAsync(CancellationToken.None));
        }

        Assert.True(repl.Audit.Time.GetUtcNow() > AuditHarness.Start + Lease + Lease, "the copy has outlived its first lease twice over");
        Assert.False(copying.IsCompleted);
        repl.Relay.Release();
        Assert.Equal(1, await copying.WaitAsync(TimeSpan.FromSeconds(60)));
        other.Dispose();

        var job = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Done, 1, (DateTimeOffset?)null), (job.State, job.Attempts, job.LeaseUntil));
        Assert.Equal(image.Manifest, (await repl.Target.GetManifestAsync("team/app", "v1"))?.Bytes.ToArray());
    }

    [Fact]
    public async Task A_renewal_that_finds_the_lease_taken_stops_the_copy_which_records_nothing()
    {
        await using var repl = await ReplicationHarness.StartAsync();
        await repl.Registry.PushImageAsync("team/app", "v1");
        repl.Relay.HoldAfter(0);

        var copying = repl.PassAsync();
        await repl.Relay.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        var job = await LeasedJobAsync(repl, after: DateTimeOffset.MinValue);
        var database = repl.Audit.Server.Services.GetRequiredService<SqlDatabase>();
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            // What another instance does once the lease has lapsed: the job is its own from then on.
            await using var steal = connection.Command("UPDATE replication_jobs SET lease_owner = 'other-instance' WHERE id = @i", transaction)
                .With("@i", job.Id);
            return await steal.ExecuteNonQueryAsync();
        }, CancellationToken.None);

        repl.Audit.Time.Advance(TimeSpan.FromMinutes(4)); // the next renewal finds the lease taken
        Assert.Equal(1, await copying.WaitAsync(TimeSpan.FromSeconds(30))); // the copy stopped, though the target is still frozen
        repl.Relay.Release();

        var left = await repl.SingleJobAsync();
        Assert.Equal((ReplicationJobStates.Pending, 0, (string?)null), (left.State, left.Attempts, left.LastError)); // nothing recorded: the job is the other instance's
        Assert.Null(await repl.Target.GetManifestAsync("team/app", "v1"));
    }

    [Fact]
    public async Task A_pull_rule_s_listing_that_outlives_its_lease_renews_it_and_no_other_instance_lists_the_rule()
    {
        await using var repl = await ReplicationHarness.StartAsync(new Dictionary<string, string>
        {
            ["Name"] = "alpine", ["Direction"] = "pull", ["Registry"] = "dr", ["Repositories:0"] = "library/alpine", ["Interval"] = "00:05:00",
        });
        using (var config = new MemoryStream("{}"u8.ToArray()))
        {
            await repl.Target.PushBlobAsync("library/alpine", Wharf.Core.Protocol.Digest.Compute("{}"u8), 2, config);
        }

        var manifest = System.Text.Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{Wharf.Core.Protocol.Digest.Compute("{}"u8)}}","size":2},"layers":[]}
            """);
        await repl.Target.PutManifestAsync("library/alpine", "3.20", MediaTypes.OciManifest, manifest);
        repl.Relay.HoldAfter(0); // the listing's first request to the source waits

        var listing = repl.PassAsync();
        await repl.Relay.Holding.WaitAsync(TimeSpan.FromSeconds(30));
        var lease = (await LeasedPassAsync(repl, after: DateTimeOffset.MinValue)).LeaseUntil!.Value;
        var other = ActivatorUtilities.CreateInstance<ReplicationWorker>(repl.Audit.Server.Services);
        for (var step = 0; step < 6; step++)
        {
            repl.Audit.Time.Advance(TimeSpan.FromMinutes(4));
            lease = (await LeasedPassAsync(repl, after: lease)).LeaseUntil!.Value;
            // Were the pass taken, this instance's listing would wait on the frozen source too.
            Assert.Equal(0, await other.RunOnceAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        }

        repl.Relay.Release();
        Assert.Equal(0, await listing.WaitAsync(TimeSpan.FromSeconds(60))); // its job is due after the pass's start
        other.Dispose();
        Assert.Equal(1, await repl.PassAsync());
        var pass = Assert.Single(await repl.Jobs.PassesAsync(CancellationToken.None));
        Assert.Equal((1, (string?)null, (DateTimeOffset?)null), (pass.LastJobs, pass.LastError, pass.LeaseUntil));
        Assert.Equal(ReplicationJobStates.Done, (await repl.SingleJobAsync()).State);
    }

    private static async Task<ReplicationPass> LeasedPassAsync(ReplicationHarness repl, DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var pass = Assert.Single(await repl.Jobs.PassesAsync(CancellationToken.None));
            if (pass.LeaseUntil > after)
            {
                return pass;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the pass's lease was not renewed past {after:O} (now {pass.LeaseUntil:O})");
            await Task.Delay(20); // the renewal is the worker's own write: nothing to await but the row
        }
    }

    /// <summary>The job once its lease runs past <paramref name="after"/>: the worker renews on its own task after the clock moves.</summary>
    private static async Task<ReplicationJob> LeasedJobAsync(ReplicationHarness repl, DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var job = await repl.SingleJobAsync();
            if (job.LeaseUntil > after)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the lease was not renewed past {after:O} (now {job.LeaseUntil:O})");
            await Task.Delay(20); // the renewal is the worker's own write: nothing to await but the row
        }
    }
}
