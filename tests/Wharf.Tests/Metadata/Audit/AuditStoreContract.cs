using Wharf.Metadata;
using Wharf.Core.Audit;

namespace Wharf.Tests.Metadata.Audit;

/// <summary>What every metadata store must do for the audit log: append, filter, page newest first, prune by age.</summary>
public abstract class AuditStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private FreshDatabase? _database;
    private IAuditStore? _store;

    protected IAuditStore Store => _store ?? throw new InvalidOperationException("store not created");

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>The engine under test: a fresh database per test.</summary>
    protected abstract Task<FreshDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _store = new SqlAuditStore(_database.Database);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_reads_back_field_for_field()
    {
        var written = new AuditEvent(0, Start.AddMilliseconds(123), "alice", "user", "10.0.0.7", "manifest.push", "team/app", "v1", "sha256:abc", "req-1");
        await Store.AppendAsync(written, None);

        var read = Assert.Single((await Store.QueryAsync(new AuditQuery(), None)).Items);

        Assert.True(read.Id > 0);
        Assert.Equal(written with { Id = read.Id }, read);
    }

    [Fact]
    public async Task Optional_fields_may_be_absent_and_any_text_is_kept_as_given()
    {
        var written = new AuditEvent(0, Start, "mallory\r\n\u001b[31m\u00e9", "user", null, "login.failure");
        await Store.AppendAsync(written, None);

        var read = Assert.Single((await Store.QueryAsync(new AuditQuery(), None)).Items);

        Assert.Equal(written with { Id = read.Id }, read);
    }

    [Fact]
    public async Task Filters_combine_and_times_are_since_inclusive_until_exclusive()
    {
        await AppendAsync("alice", "manifest.push", "team/app", 0);
        await AppendAsync("alice", "tag.delete", "team/app", 1);
        await AppendAsync("bob", "manifest.push", "team/web", 2);
        await AppendAsync("bob", "login.failure", null, 3);

        Assert.Equal(["tag.delete", "manifest.push"], await ActionsAsync(new AuditQuery(Actor: "alice")));
        Assert.Equal([2L, 0L], await MinutesAsync(new AuditQuery(Action: "manifest.push")));
        Assert.Equal([1L, 0L], await MinutesAsync(new AuditQuery(Repository: "team/app")));
        Assert.Equal([2L], await MinutesAsync(new AuditQuery(Actor: "bob", Repository: "team/web")));
        Assert.Equal([2L, 1L], await MinutesAsync(new AuditQuery(Since: Start.AddMinutes(1), Until: Start.AddMinutes(3))));
        Assert.Empty(await MinutesAsync(new AuditQuery(Actor: "carol")));
    }

    [Fact]
    public async Task Pages_continue_below_the_last_id_newest_first()
    {
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync("alice", "manifest.push", "team/app", i);
        }

        var first = await Store.QueryAsync(new AuditQuery(Limit: 2), None);
        var second = await Store.QueryAsync(new AuditQuery(Before: first.Items[^1].Id, Limit: 2), None);
        var third = await Store.QueryAsync(new AuditQuery(Before: second.Items[^1].Id, Limit: 2), None);

        Assert.Equal((true, true, false), (first.HasMore, second.HasMore, third.HasMore));
        Assert.Equal([4L, 3L, 2L, 1L, 0L], first.Items.Concat(second.Items).Concat(third.Items).Select(Minute));
    }

    [Fact]
    public async Task Pruning_removes_exactly_the_events_before_the_cutoff()
    {
        for (var i = 0; i < 4; i++)
        {
            await AppendAsync("alice", "manifest.push", "team/app", i);
        }

        Assert.Equal(2, await Store.PruneAsync(Start.AddMinutes(2), None));
        Assert.Equal([3L, 2L], await MinutesAsync(new AuditQuery()));
        Assert.Equal(0, await Store.PruneAsync(Start.AddMinutes(2), None));
    }

    private Task AppendAsync(string actor, string action, string? repository, int minute) =>
        Store.AppendAsync(new AuditEvent(0, Start.AddMinutes(minute), actor, "user", "127.0.0.1", action, repository), None).AsTask();

    private async Task<List<string>> ActionsAsync(AuditQuery query) => [.. (await Store.QueryAsync(query, None)).Items.Select(e => e.Action)];

    private async Task<List<long>> MinutesAsync(AuditQuery query) => [.. (await Store.QueryAsync(query, None)).Items.Select(Minute)];

    private static long Minute(AuditEvent entry) => (long)(entry.At - Start).TotalMinutes;
}
