using Wharf.Core.Metadata;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata;

/// <summary>
/// Session epochs and refresh token families in the SQL stores (SQLite here; the PostgreSQL SQL is the same and runs
/// under the integration tests with WHARF_TEST_BACKEND=s3-postgres).
/// </summary>
public sealed class SessionEpochStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new("wharf-epochs");
    private SqliteDatabase? _database;

    private SqlUserStore Users => new(_database!);

    private SqlRefreshTokenStore Families => new(_database!);

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(_temp.Combine("wharf.db"));
        await _database.MigrateAsync(None);
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_new_password_replaces_the_epoch_and_new_groups_alone_do_not()
    {
        await Users.CreateAsync(new UserRecord("alice", "one", [], Now), None);
        var first = (await Users.GetAsync("alice", None))!.SessionEpoch;

        await Users.UpdateAsync("alice", "one", ["dev"], None);
        var afterGroups = (await Users.GetAsync("alice", None))!.SessionEpoch;
        await Users.UpdateAsync("alice", "two", null, None);
        var afterPassword = (await Users.GetAsync("alice", None))!.SessionEpoch;

        Assert.Equal(32, first.Length);
        Assert.Equal(first, afterGroups);
        Assert.NotEqual(first, afterPassword);
    }

    [Fact]
    public async Task A_name_added_again_gets_a_new_epoch()
    {
        await Users.CreateAsync(new UserRecord("alice", "one", [], Now), None);
        var first = (await Users.GetAsync("alice", None))!.SessionEpoch;
        await Users.DeleteAsync("alice", None);
        await Users.CreateAsync(new UserRecord("alice", "one", [], Now), None);

        Assert.NotEqual(first, (await Users.GetAsync("alice", None))!.SessionEpoch);
    }

    [Fact]
    public async Task Each_refresh_token_rotates_once_and_a_spent_one_revokes_the_family()
    {
        var expires = Now.AddDays(30);
        await Families.CreateAsync("f1", "alice", "r1", expires, false, Now, None);

        Assert.Equal(RefreshRotation.Rotated, await Families.RotateAsync("f1", "r1", "r2", expires, Now, None));
        Assert.Equal(RefreshRotation.Reused, await Families.RotateAsync("f1", "r1", "r3", expires, Now, None));
        Assert.Equal(RefreshRotation.Reused, await Families.RotateAsync("f1", "r2", "r4", expires, Now, None));
        Assert.Equal(RefreshRotation.Unknown, await Families.RotateAsync("nope", "r1", "r2", expires, Now, None));
    }

    [Fact]
    public async Task A_new_password_or_removal_revokes_the_users_families_and_expired_ones_are_forgotten()
    {
        var expires = Now.AddDays(30);
        await Users.CreateAsync(new UserRecord("alice", "one", [], Now), None);
        await Families.CreateAsync("f1", "alice", "r1", expires, false, Now, None);
        await Families.CreateAsync("f2", "bob", "r1", Now.AddMinutes(1), false, Now, None);

        await Users.UpdateAsync("alice", "two", null, None);
        await Families.CreateAsync("f3", "carol", "r1", expires, false, Now.AddMinutes(2), None);

        Assert.Equal(RefreshRotation.Reused, await Families.RotateAsync("f1", "r1", "r2", expires, Now, None));
        Assert.Equal(RefreshRotation.Unknown, await Families.RotateAsync("f2", "r1", "r2", expires, Now.AddMinutes(2), None));
        Assert.Equal(RefreshRotation.Rotated, await Families.RotateAsync("f3", "r1", "r2", expires, Now.AddMinutes(2), None));
    }

    [Fact]
    public async Task A_reusable_family_keeps_its_one_token_until_the_password_changes()
    {
        var expires = Now.AddDays(30);
        await Users.CreateAsync(new UserRecord("alice", "one", [], Now), None);
        await Families.CreateAsync("f1", "alice", "r1", expires, true, Now, None);

        Assert.Equal(RefreshRotation.Kept, await Families.RotateAsync("f1", "r1", "r2", expires, Now, None));
        Assert.Equal(RefreshRotation.Kept, await Families.RotateAsync("f1", "r1", "r3", expires, Now, None));
        Assert.Equal(RefreshRotation.Reused, await Families.RotateAsync("f1", "r2", "r4", expires, Now, None));
        Assert.Equal(RefreshRotation.Unknown, await Families.RotateAsync("f1", "r1", "r5", expires, expires, None));
    }
}
