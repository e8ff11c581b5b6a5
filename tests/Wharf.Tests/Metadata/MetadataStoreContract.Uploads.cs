using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Created_session_reads_back()
    {
        var session = NewSession("team/app");
        await Uploads.CreateAsync(session, None);
        Assert.Equal(session, await Uploads.GetAsync(session.Id, None));
    }

    [Fact]
    public async Task Unknown_session_is_null() => Assert.Null(await Uploads.GetAsync(UploadId.New(), None));

    [Fact]
    public async Task Advance_with_the_expected_size_records_progress()
    {
        var session = NewSession("a");
        await Uploads.CreateAsync(session, None);
        var later = session.StartedAt.AddMinutes(3);

        Assert.True(await Uploads.AdvanceAsync(session.Id, 0, 1000, later, None));
        Assert.True(await Uploads.AdvanceAsync(session.Id, 1000, 2500, later.AddSeconds(1), None));

        Assert.Equal(session with { Size = 2500, UpdatedAt = later.AddSeconds(1) }, await Uploads.GetAsync(session.Id, None));
    }

    [Fact]
    public async Task Advance_with_a_stale_expected_size_fails_and_changes_nothing()
    {
        var session = NewSession("a");
        await Uploads.CreateAsync(session, None);
        Assert.True(await Uploads.AdvanceAsync(session.Id, 0, 10, session.StartedAt.AddSeconds(1), None));

        Assert.False(await Uploads.AdvanceAsync(session.Id, 0, 20, session.StartedAt.AddSeconds(2), None));

        Assert.Equal(session with { Size = 10, UpdatedAt = session.StartedAt.AddSeconds(1) }, await Uploads.GetAsync(session.Id, None));
        Assert.False(await Uploads.AdvanceAsync(UploadId.New(), 0, 20, session.StartedAt, None));
    }

    [Fact]
    public async Task Concurrent_advances_from_one_size_let_exactly_one_win()
    {
        var session = NewSession("a");
        await Uploads.CreateAsync(session, None);

        var wins = await Task.WhenAll(Enumerable.Range(1, 16).Select(i =>
            Task.Run(async () => await Uploads.AdvanceAsync(session.Id, 0, i * 100, session.StartedAt, None))));

        Assert.Equal(1, wins.Count(w => w));
        var winner = Array.IndexOf(wins, true) + 1;
        Assert.Equal(winner * 100, (await Uploads.GetAsync(session.Id, None))!.Size);
    }

    [Fact]
    public async Task Deleted_session_is_gone()
    {
        var session = NewSession("a");
        await Uploads.CreateAsync(session, None);

        Assert.True(await Uploads.DeleteAsync(session.Id, None));
        Assert.Null(await Uploads.GetAsync(session.Id, None));
        Assert.False(await Uploads.DeleteAsync(session.Id, None));
    }

    [Fact]
    public async Task Stale_sessions_are_those_idle_since_before_the_cutoff_oldest_first()
    {
        var now = Time.GetUtcNow();
        var old = NewSession("a", now.AddHours(-30));
        var older = NewSession("a", now.AddHours(-50));
        var recent = NewSession("b", now.AddHours(-1));
        var revived = NewSession("b", now.AddHours(-40));
        foreach (var s in new[] { old, older, recent, revived })
        {
            await Uploads.CreateAsync(s, None);
        }

        Assert.True(await Uploads.AdvanceAsync(revived.Id, 0, 5, now.AddMinutes(-5), None));
        var cutoff = now.AddHours(-24);

        Assert.Equal([older.Id, old.Id], (await Uploads.ListStaleAsync(cutoff, 100, None)).Select(s => s.Id));
        Assert.Equal([older.Id], (await Uploads.ListStaleAsync(cutoff, 1, None)).Select(s => s.Id));
        Assert.Empty(await Uploads.ListStaleAsync(now.AddHours(-60), 100, None));
    }

    [Fact]
    public async Task Session_time_round_trips_at_millisecond_precision()
    {
        var at = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);
        var session = NewSession("a", at);
        await Uploads.CreateAsync(session, None);
        var stored = await Uploads.GetAsync(session.Id, None);
        Assert.Equal(at, stored!.StartedAt);
        Assert.Equal(at, stored.UpdatedAt);
    }

    private UploadSession NewSession(string repository, DateTimeOffset? at = null)
    {
        var when = at ?? Time.GetUtcNow();
        return new UploadSession(UploadId.New(), repository, 0, when, when);
    }
}
