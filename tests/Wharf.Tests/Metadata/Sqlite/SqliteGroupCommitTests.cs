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
    public async Task A_write_asked_by_running_work_joins_its_transaction_instead_of_waiting_for_the_writer()
    {
        async ValueTask<int> Insert(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string name)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO repositories (name, created_at) VALUES ($n, 0)";
            insert.Parameters.AddWithValue("$n", name);
            return await insert.ExecuteNonQueryAsync();
        }

        // The collector's batch deletes a small blob's row this way: queued, the inner write would wait for the outer forever.
        var outer = _database.WriteAsync(async (connection, transaction) =>
        {
            await Insert(connection, transaction, "outer");
            return await _database.WriteAsync((c, t) => Insert(c, t, "inner"), CancellationToken.None, durable: false);
        }, CancellationToken.None, durable: false).AsTask();

        Assert.Same(outer, await Task.WhenAny(outer, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Equal(1, await outer);

        // Rolled back together: the inner write is part of the outer one.
        var failing = _database.WriteAsync<int>(async (connection, transaction) =>
        {
            await _database.WriteAsync((c, t) => Insert(c, t, "inner-of-failing"), CancellationToken.None, durable: false);
            throw new InvalidOperationException("the outer write fails");
        }, CancellationToken.None, durable: false).AsTask();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        // A durable write cannot hide inside a batch that is not flushed.
        var downgraded = _database.WriteAsync(async (_, _) =>
            await _database.WriteAsync((_, _) => ValueTask.FromResult(1), CancellationToken.None, durable: true), CancellationToken.None, durable: false).AsTask();
        await Assert.ThrowsAsync<InvalidOperationException>(() => downgraded);

        // Work that outlives its write (started inside it, writing after it ended) queues like any other.
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int>? later = null;
        await _database.WriteAsync((_, _) =>
        {
            later = Task.Run(async () =>
            {
                await ended.Task;
                return await _database.WriteAsync((c, t) => Insert(c, t, "later"), CancellationToken.None, durable: false);
            });
            return ValueTask.FromResult(0);
        }, CancellationToken.None, durable: false);
        ended.SetResult();
        Assert.Equal(1, await later!);

        Assert.Equal("inner,later,outer", await RepositoryNamesAsync());
    }

    [Fact]
    public async Task A_write_that_finds_the_writer_idle_runs_on_the_callers_flow_and_fails_leaving_nothing()
    {
        var flow = new AsyncLocal<string?> { Value = "caller" };
        Assert.Equal("caller", await _database.RunWriteAsync((_, _) => ValueTask.FromResult(flow.Value), CancellationToken.None));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.WriteAsync<int>(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "lost");
            throw new InvalidOperationException("fails after writing");
        }, CancellationToken.None).AsTask());
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, "kept");
            return 0;
        }, CancellationToken.None);

        Assert.Equal("kept", await RepositoryNamesAsync());
    }

    [Fact]
    public async Task Each_write_runs_flushed_or_not_as_it_asked_whatever_ran_before_it()
    {
        async Task<long> SynchronousAsync(bool durable) => await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var pragma = connection.CreateCommand();
            pragma.Transaction = transaction;
            pragma.CommandText = "PRAGMA synchronous";
            return (long)(await pragma.ExecuteScalarAsync())!;
        }, CancellationToken.None, durable);

        const long Full = 2, Normal = 1;
        var seen = new List<long>();
        foreach (var durable in (bool[])[true, false, false, true, true, false])
        {
            seen.Add(await SynchronousAsync(durable));
        }

        Assert.Equal([Full, Normal, Normal, Full, Full, Normal], seen);
    }

    private static async Task InsertAsync(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string name)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO repositories (name, created_at) VALUES ($n, 0)";
        insert.Parameters.AddWithValue("$n", name);
        await insert.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_log_holds_many_commits_before_a_checkpoint_copies_them_into_the_database()
    {
        Task<int> Commit(string sql) => _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None, durable: false).AsTask();

        await Commit("CREATE TABLE filler (payload BLOB NOT NULL)");

        // Each commit a page of its own (a row too large to share one): 1,500 frames in the log, past SQLite's default
        // checkpoint at 1,000 pages, after which the log would start again from its beginning and stay near 4 MiB.
        for (var i = 0; i < 1500; i++)
        {
            await Commit("INSERT INTO filler (payload) VALUES (zeroblob(3000))");
        }

        var log = new FileInfo(Path.Combine(_temp.Path, "wharf.db-wal"));
        Assert.True(log.Length > 1400L * 4096, $"the log is {log.Length} bytes: checkpointed before {SqliteDatabase.CheckpointPages} pages");
    }

    [Fact]
    public async Task A_statement_that_rewrites_pages_its_transaction_wrote_keeps_their_old_copies_in_memory()
    {
        // SQLite keeps the pages a statement (or a batch mate's savepoint) changes, as they were before it, so that it can
        // roll back alone; past 64 KiB it spilled them to a temporary file (/var/tmp/etilqs_*), written on every batch.
        var spilled = await _database.WriteAsync(async (connection, transaction) =>
        {
            var seen = false;
            connection.CreateFunction("probe", (byte[] payload) =>
            {
                seen |= OpenTemporaryFiles() > 0;
                return payload;
            });
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                CREATE TABLE rewritten (payload BLOB NOT NULL);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO rewritten SELECT zeroblob(3000) FROM n;
                UPDATE rewritten SET payload = probe(randomblob(3000));
                """;
            await command.ExecuteNonQueryAsync();
            return seen;
        }, CancellationToken.None);

        Assert.False(spilled, "a temporary file was open while 100 pages written earlier in the transaction were rewritten");
    }

    /// <summary>This process's open SQLite temporary files (their names start with etilqs_; unlinked, but still open).</summary>
    private static int OpenTemporaryFiles() => new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(IsTemporaryFile);

    /// <summary>Whether the descriptor names a SQLite temporary file; a descriptor another test closed meanwhile names nothing.</summary>
    private static bool IsTemporaryFile(FileSystemInfo descriptor)
    {
        try
        {
            return descriptor.LinkTarget?.Contains("etilqs_", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false;
        }
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

    /// <summary>The repositories' names in order, comma-separated, as a reader sees them.</summary>
    private async Task<object?> RepositoryNamesAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var names = connection.CreateCommand();
        names.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM repositories ORDER BY name)";
        return await names.ExecuteScalarAsync();
    }
}
