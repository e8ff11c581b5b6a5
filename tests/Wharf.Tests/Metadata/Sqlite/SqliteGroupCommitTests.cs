using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

/// <summary>Concurrent writes share commits, yet each one succeeds or fails on its own.</summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private readonly TempDirectory _temp = new("wharf-db");
    private readonly SqliteDatabase _database;

    public SqliteGroupCommitTests()
    {
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        _database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Background_writes_wait_for_every_write_queued_before_them_to_start_and_run_alone()
    {
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = _database.RunWriteAsync(async (_, _) =>
        {
            started.SetResult();
            await release.Task;
            order.Enqueue("blocker");
            return 0;
        }, CancellationToken.None).AsTask();
        await started.Task;

        Task Write(string name, bool background) => _database.RunWriteAsync((_, _) =>
        {
            order.Enqueue(name);
            return ValueTask.FromResult(0);
        }, CancellationToken.None, background: background).AsTask();

        var writes = new List<Task> { Write("background", background: true), Write("first", false), Write("second", false) };
        release.SetResult();
        await blocker;
        await Task.WhenAll(writes);

        Assert.Equal(["blocker", "first", "second", "background"], order);
    }

    [Fact]
    public async Task A_failing_write_rolls_back_alone_while_its_batch_mates_commit()
    {
        var writes = Enumerable.Range(0, 40).Select(i => _database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO repositories (name, created_at) VALUES ($n, 0)";
            insert.Parameters.AddWithValue("$n", $"repo{i}");
            await insert.ExecuteNonQueryAsync();
            if (i % 5 == 0)
            {
                throw new InvalidOperationException($"write {i} fails after writing");
            }

            return i;
        }, CancellationToken.None).AsTask()).ToList();

        for (var i = 0; i < writes.Count; i++)
        {
            if (i % 5 == 0)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(() => writes[i]);
            }
            else
            {
                Assert.Equal(i, await writes[i]);
            }
        }

        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT name FROM repositories ORDER BY name";
        await using var reader = await count.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        Assert.Equal(Enumerable.Range(0, 40).Where(i => i % 5 != 0).Select(i => $"repo{i}").Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task A_write_after_dispose_is_refused()
    {
        _database.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _database.WriteAsync((_, _) => ValueTask.FromResult(1), CancellationToken.None).AsTask());
    }

    public void Dispose()
    {
        _database.Dispose();
        _temp.Dispose();
    }
}
