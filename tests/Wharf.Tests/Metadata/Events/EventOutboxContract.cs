using Wharf.Core.Events;
using Wharf.Metadata;

namespace Wharf.Tests.Metadata.Events;

/// <summary>
/// What the webhook outbox must do on every metadata store: events written in a change's transaction, claimed a line's
/// head at a time under a lease, recorded, retried, dead and replayed, counted, listed and pruned.
/// </summary>
public abstract class EventOutboxContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private FreshDatabase? _database;
    private SqlEventOutbox? _outbox;

    private SqlDatabase Database => _database?.Database ?? throw new InvalidOperationException("store not created");

    private SqlEventOutbox Outbox => _outbox ?? throw new InvalidOperationException("store not created");

    /// <summary>The outbox through its interface, whose single-delivery record is a default method.</summary>
    private IEventOutbox Api => Outbox;

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>The engine under test: a fresh database per test.</summary>
    protected abstract Task<FreshDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _outbox = new SqlEventOutbox(_database.Database, new Routes());
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_is_claimed_once_under_its_lease_and_done_once_recorded()
    {
        var written = await WriteAsync("team/app", "v1", Start);

        var claimed = Assert.Single(await ClaimAsync("a", Start));
        Assert.Equal(written, claimed.Event);
        Assert.Equal("hooks", claimed.Endpoint);
        Assert.Empty(await ClaimAsync("b", Start.AddSeconds(1)));
        Assert.Equal((1L, 0L), await Outbox.CountAsync(None));

        Assert.False(await Api.RecordAsync(claimed, "b", Done(Start), None));
        Assert.True(await Api.RecordAsync(claimed, "a", Done(Start), None));

        Assert.Empty(await ClaimAsync("b", Start.AddHours(1)));
        Assert.Equal((0L, 0L), await Outbox.CountAsync(None));
        var listed = Assert.Single((await Outbox.ListAsync(new EventQuery(), None)).Items);
        Assert.Equal((claimed.EventId, DeliveryStates.Done, 204, written), (listed.EventId, listed.State, listed.LastStatus, listed.Event));
    }

    [Fact]
    public async Task A_line_goes_out_in_order_one_head_at_a_time_and_a_lease_that_ran_out_is_claimed_again()
    {
        var first = await WriteAsync("team/app", "v1", Start);
        var second = await WriteAsync("team/app", "v2", Start);
        var other = await WriteAsync("team/web", "v1", Start);

        var heads = await ClaimAsync("a", Start);
        Assert.Equal([first, other], heads.Select(d => d.Event));
        Assert.Empty(await ClaimAsync("b", Start.AddSeconds(59)));

        var again = await ClaimAsync("b", Start + Lease);
        Assert.Equal([first, other], again.Select(d => d.Event));
        Assert.Equal(0, await Outbox.RecordAllAsync([.. heads.Select(d => (d, Done(Start)))], "a", None));
        Assert.Equal(2, await Outbox.RecordAllAsync([.. again.Select(d => (d, Done(Start)))], "b", None));

        Assert.Equal([second], (await ClaimAsync("b", Start + Lease)).Select(d => d.Event));
    }

    [Fact]
    public async Task A_batch_takes_the_unbroken_run_behind_a_head_in_order()
    {
        var events = new List<RegistryEvent>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(await WriteAsync("team/app", $"v{i}", Start));
        }

        var batch = await Outbox.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = 3 }, "a", 8, Start, Lease, None);

        Assert.Equal(events.Take(3), batch.Select(d => d.Event));
        Assert.Empty(await Outbox.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = 3 }, "b", 8, Start, Lease, None));
        Assert.Equal(3, await Outbox.RecordAllAsync([.. batch.Select(d => (d, Done(Start)))], "a", None));
        var rest = await Outbox.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = 3 }, "b", 8, Start, Lease, None);
        Assert.Equal(events.Skip(3), rest.Select(d => d.Event));
    }

    [Fact]
    public async Task A_failed_delivery_waits_for_its_retry_then_dies_and_a_replay_puts_it_back_in_line()
    {
        var written = await WriteAsync("team/app", "v1", Start);
        var claimed = Assert.Single(await ClaimAsync("a", Start));
        Assert.True(await Api.RecordAsync(claimed, "a", new DeliveryOutcome(DeliveryStates.Pending, Start.AddSeconds(30), 500, "HTTP 500"), None));

        Assert.Empty(await ClaimAsync("a", Start.AddSeconds(29)));
        var retried = Assert.Single(await ClaimAsync("a", Start.AddSeconds(30)));
        Assert.Equal(1, retried.Attempts);
        Assert.True(await Api.RecordAsync(retried, "a", new DeliveryOutcome(DeliveryStates.Dead, Start.AddSeconds(30), null, "refused"), None));

        Assert.Equal((0L, 1L), await Outbox.CountAsync(None));
        Assert.Empty(await ClaimAsync("a", Start.AddDays(1)));
        var dead = Assert.Single((await Outbox.ListAsync(new EventQuery(State: DeliveryStates.Dead), None)).Items);
        Assert.Equal((2, "refused", written), (dead.Attempts, dead.LastError, dead.Event));

        Assert.Equal(1, await Outbox.ReplayAsync(claimed.EventId, null, Start.AddDays(1), None));
        var replayed = Assert.Single(await ClaimAsync("a", Start.AddDays(1)));
        Assert.Equal((0, written), (replayed.Attempts, replayed.Event));
    }

    [Fact]
    public async Task Pruning_removes_old_delivered_events_and_keeps_new_pending_and_dead_ones()
    {
        await WriteAsync("team/a", "old", Start);
        await WriteAsync("team/b", "dead", Start);
        await WriteAsync("team/c", "pending", Start);
        await WriteAsync("team/d", "new", Start.AddHours(2));
        foreach (var delivery in await ClaimAsync("a", Start.AddHours(2)))
        {
            var outcome = delivery.Event.Repository switch
            {
                "team/b" => new DeliveryOutcome(DeliveryStates.Dead, Start, null, "gone"),
                "team/c" => new DeliveryOutcome(DeliveryStates.Pending, Start.AddDays(1), null, "later"),
                _ => Done(Start),
            };
            Assert.True(await Api.RecordAsync(delivery, "a", outcome, None));
        }

        Assert.Equal(1, await Outbox.PruneAsync(Start.AddHours(1), None));
        Assert.Equal(0, await Outbox.PruneAsync(Start.AddHours(1), None));

        Assert.Equal(["dead", "new", "pending"], await TagsListedAsync());

        Assert.Equal(1, await Outbox.PruneAsync(Start.AddDays(1), None));
        Assert.Equal(["dead", "pending"], await TagsListedAsync());
        Assert.Equal((1L, 1L), await Outbox.CountAsync(None));
    }

    [Fact]
    public async Task After_pruning_every_event_the_next_one_is_still_delivered()
    {
        // SQLite hands a new row the largest id + 1: once pruning has removed the newest events, ids come again that a
        // cursor over the events may already have passed.
        await WriteAsync("team/app", "v1", Start);
        await WriteAsync("team/app", "v2", Start);
        foreach (var delivery in await ClaimAsync("a", Start, perLine: 10))
        {
            Assert.True(await Api.RecordAsync(delivery, "a", Done(Start), None));
        }

        Assert.Equal(2, await Outbox.PruneAsync(Start.AddDays(1), None));
        var next = await WriteAsync("team/app", "v3", Start.AddDays(2));

        Assert.Equal([next], (await ClaimAsync("a", Start.AddDays(2), perLine: 10)).Select(d => d.Event));
    }

    [Fact]
    public async Task An_event_written_before_a_restart_is_listed_counted_and_claimed_after_it()
    {
        var written = await WriteAsync("team/app", "v1", Start);
        var restarted = new SqlEventOutbox(Database, new Routes());

        var listed = Assert.Single((await restarted.ListAsync(new EventQuery(State: DeliveryStates.Pending), None)).Items);
        Assert.Equal((written, "hooks"), (listed.Event, listed.Endpoint));
        Assert.Equal((1L, 0L), await restarted.CountAsync(None));
        var claimed = Assert.Single(await restarted.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = 10 }, "b", 8, Start, Lease, None));
        Assert.Equal(written, claimed.Event);
    }

    [Fact]
    public async Task A_backlog_goes_out_in_order_across_claims_that_each_fan_out_a_bounded_part()
    {
        var signal = new EventSignal();
        var outbox = new SqlEventOutbox(Database, new Routes(), signal, fanOutBatch: 2);
        var written = new List<RegistryEvent>();
        for (var i = 1; i <= 5; i++)
        {
            written.Add(await WriteAsync(outbox, "team/app", $"v{i}", Start));
        }

        var wake = signal.Next;
        var sent = new List<RegistryEvent>();
        for (var claims = 0; claims < 10; claims++)
        {
            var batch = await outbox.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = 10 }, "a", 8, Start, Lease, None);
            if (batch.Count == 0)
            {
                break;
            }

            if (claims == 0 && Database.WritesOneAtATime)
            {
                // Made after the commit: the first claim's fan-out stopped at its bound and asked for another claim at once.
                Assert.Equal(2, batch.Count);
                Assert.True(wake.IsCompleted);
            }

            sent.AddRange(batch.Select(d => d.Event));
            Assert.Equal(batch.Count, await outbox.RecordAllAsync([.. batch.Select(d => (d, Done(Start)))], "a", None));
        }

        Assert.Equal(written, sent);
    }

    [Fact]
    public async Task Listing_and_counting_see_a_whole_backlog()
    {
        var outbox = new SqlEventOutbox(Database, new Routes(), fanOutBatch: 2);
        for (var i = 1; i <= 5; i++)
        {
            await WriteAsync(outbox, "team/app", $"v{i}", Start);
        }

        Assert.Equal(5, (await outbox.ListAsync(new EventQuery(State: DeliveryStates.Pending), None)).Items.Count);
        Assert.Equal((5L, 0L), await outbox.CountAsync(None));
    }

    private async Task<List<string?>> TagsListedAsync() =>
        [.. (await Outbox.ListAsync(new EventQuery(), None)).Items.Select(d => d.Event.Tag).Order()];

    private static DeliveryOutcome Done(DateTimeOffset at) => new(DeliveryStates.Done, at, 204, null);

    [Fact]
    public async Task Only_a_change_that_wrote_an_event_wakes_the_dispatcher()
    {
        // An idle dispatcher claims as soon as it is woken: a push no endpoint wanted an event of must not wake it.
        var signal = new EventSignal();
        var outbox = new SqlEventOutbox(Database, new OnlyRepository("team/app"), signal);
        var wake = signal.Next;

        Assert.True(await ReportAsync(outbox, "team/web"));
        Assert.False(wake.IsCompleted);
        Assert.Equal((0L, 0L), await outbox.CountAsync(None));

        Assert.True(await ReportAsync(outbox, "team/app"));
        Assert.True(wake.IsCompleted);
        Assert.Equal((1L, 0L), await outbox.CountAsync(None));
    }

    private ValueTask<bool> ReportAsync(SqlEventOutbox outbox, string repository) =>
        SqlEventOutbox.Reporting(outbox, _ => Database.RunWriteAsync(async (connection, transaction) =>
        {
            var change = new RegistryEvent(Guid.CreateVersion7(Start), Start, EventActions.ManifestPush, repository, "application/vnd.oci.image.manifest.v1+json", "sha256:" + new string('b', 64), 512, "v1");
            await outbox.WriteAsync(connection, transaction, change, None);
            return true;
        }, None));

    private Task<RegistryEvent> WriteAsync(string repository, string tag, DateTimeOffset at) => WriteAsync(Outbox, repository, tag, at);

    private async Task<RegistryEvent> WriteAsync(SqlEventOutbox outbox, string repository, string tag, DateTimeOffset at)
    {
        var written = new RegistryEvent(Guid.CreateVersion7(at), at, EventActions.ManifestPush, repository, "application/vnd.oci.image.manifest.v1+json", "sha256:" + new string('a', 64), 512, tag);
        await Database.RunWriteAsync(async (connection, transaction) =>
        {
            await outbox.WriteAsync(connection, transaction, written, None);
            return true;
        }, None);
        return written;
    }

    /// <summary>Claims up to 8 lines' heads, <paramref name="perLine"/> events of each.</summary>
    private async Task<IReadOnlyList<PendingDelivery>> ClaimAsync(string owner, DateTimeOffset now, int perLine = 1) =>
        await Outbox.ClaimLinesAsync(new Dictionary<string, int> { ["hooks"] = perLine }, owner, 8, now, Lease, None);

    private sealed class Routes : IEventRoutes
    {
        public IReadOnlyList<string> EndpointsFor(RegistryEvent registryEvent) => ["hooks"];
    }

    private sealed class OnlyRepository(string repository) : IEventRoutes
    {
        public IReadOnlyList<string> EndpointsFor(RegistryEvent registryEvent) => registryEvent.Repository == repository ? ["hooks"] : [];
    }
}
