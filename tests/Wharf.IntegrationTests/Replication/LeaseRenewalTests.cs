using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Replication;
using Wharf.Http.Replication;
using Wharf.IntegrationTests.Audit;
using Wharf.Metadata;

namespace Wharf.IntegrationTests.Replication;

/// <summary>
/// A copy that outlives its lease (the target frozen by the relay while the fake clock runs on) keeps the lease by
/// renewing it every third of <c>Lease</c>: another instance never takes the job while it is being copied, and the job
/// is copied and recorded once.
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
