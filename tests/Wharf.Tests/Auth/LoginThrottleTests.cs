using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Auth;

/// <summary>The login throttle over a real (SQLite) store: its window, its sharing between instances, its fallback.</summary>
public sealed class LoginThrottleTests : IAsyncLifetime
{
    private static readonly AuthOptions Options = new() { Throttle = new ThrottleOptions { MaxFailures = 3, MaxFailuresPerAddress = 5, Window = TimeSpan.FromMinutes(1) } };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _temp = new("wharf-throttle");
    private SqliteDatabase? _database;

    private ILoginFailureStore Store => new SqliteLoginFailureStore(_database!);

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(_temp.Combine("wharf.db"));
        await _database.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private LoginThrottle Throttle(ILoginFailureStore store) => new(Options, store, _time, NullLogger<LoginThrottle>.Instance);

    [Fact]
    public async Task The_throttle_counts_per_user_and_client_in_a_sliding_window()
    {
        var throttle = Throttle(Store);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
            await throttle.RecordFailureAsync("10.0.0.1", "alice", $"guess-{i}");
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(30), await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
        Assert.Null(await throttle.RetryAfterAsync("10.0.0.1", "bob", CancellationToken.None));
        Assert.Null(await throttle.RetryAfterAsync("10.0.0.2", "alice", CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(20), await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None)); // the first failure, 10 s closer to leaving the window
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
    }

    [Fact]
    public async Task Guesses_across_many_names_from_one_address_lock_that_address()
    {
        var throttle = Throttle(Store);
        for (var i = 0; i < 5; i++)
        {
            await throttle.RecordFailureAsync("10.0.0.1", $"user{i}", "guess");
        }

        Assert.Equal(TimeSpan.FromMinutes(1), await throttle.RetryAfterAsync("10.0.0.1", "someone-else", CancellationToken.None));
        Assert.Null(await throttle.RetryAfterAsync("10.0.0.2", "someone-else", CancellationToken.None));
    }

    [Fact]
    public async Task The_same_wrong_credentials_resent_count_once_per_window()
    {
        var throttle = Throttle(Store);
        for (var i = 0; i < 13; i++)
        {
            await throttle.RecordFailureAsync("10.0.0.1", "alice", "alice-pasword");
        }

        Assert.Null(await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        await throttle.RecordFailureAsync("10.0.0.1", "alice", "alice-pasword"); // a new window: it counts again
        await throttle.RecordFailureAsync("10.0.0.1", "alice", "other-1");
        await throttle.RecordFailureAsync("10.0.0.1", "alice", "other-2");
        Assert.NotNull(await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
    }

    [Fact]
    public async Task Failures_seen_by_different_instances_add_up()
    {
        var (a, b) = (Throttle(Store), Throttle(Store));

        await a.RecordFailureAsync("10.0.0.1", "alice", "one");
        await b.RecordFailureAsync("10.0.0.1", "alice", "two");
        Assert.Null(await a.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
        await a.RecordFailureAsync("10.0.0.1", "alice", "three");

        Assert.Equal(TimeSpan.FromMinutes(1), await b.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMinutes(1), await Throttle(Store).RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
    }

    [Fact]
    public async Task Old_failures_are_pruned_from_the_store_by_a_later_failure()
    {
        var throttle = Throttle(Store);
        await throttle.RecordFailureAsync("10.0.0.1", "alice");
        _time.Advance(TimeSpan.FromMinutes(2));

        await throttle.RecordFailureAsync("10.0.0.2", "bob");

        Assert.Null(await Store.NthLatestAsync(["ip:10.0.0.1", "user:10.0.0.1/alice"], 1, DateTimeOffset.MinValue, CancellationToken.None));
        Assert.NotNull(await Store.NthLatestAsync(["user:10.0.0.2/bob"], 1, DateTimeOffset.MinValue, CancellationToken.None));
    }

    [Fact]
    public async Task Without_its_store_an_instance_still_throttles_what_it_saw_itself()
    {
        var throttle = Throttle(new BrokenStore());
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
            await throttle.RecordFailureAsync("10.0.0.1", "alice", $"guess-{i}");
        }

        Assert.Equal(TimeSpan.FromMinutes(1), await throttle.RetryAfterAsync("10.0.0.1", "alice", CancellationToken.None));
    }

    [Fact]
    public void An_overlong_user_name_is_stored_as_a_hash()
    {
        var keys = LoginThrottle.Keys("10.0.0.1", new string('x', 5000));

        Assert.Equal("ip:10.0.0.1", keys.Address);
        Assert.StartsWith("user:sha256:", keys.User, StringComparison.Ordinal);
        Assert.Equal(5 + 7 + 64, keys.User!.Length);
        Assert.Equal(("ip:10.0.0.1", (string?)null), LoginThrottle.Keys("10.0.0.1", null));
    }

    /// <summary>A store whose database is gone.</summary>
    private sealed class BrokenStore : ILoginFailureStore
    {
        public ValueTask RecordAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("database down");

        public ValueTask<DateTimeOffset?> NthLatestAsync(IReadOnlyList<string> keys, int count, DateTimeOffset since, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("database down");

        public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("database down");
    }
}
