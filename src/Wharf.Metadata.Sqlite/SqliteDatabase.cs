using System.Data.Common;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Wharf.Core.Storage;

namespace Wharf.Metadata.Sqlite;

/// <summary>
/// The SQLite file: connections, the single group-committing writer, and migrations. WAL mode lets reads
/// run beside the one writer; writes are serialised in-process so they never spin on SQLITE_BUSY.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase, IDisposable
{
    private const int MaxBatch = 64;
    private const int SqliteFull = 13; // SQLITE_FULL
    private readonly string _connectionString;
    private readonly Channel<IWriteItem> _queue = Channel.CreateUnbounded<IWriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    /// <summary>Held by whoever runs a batch on the writer's connection: the writer loop, or a write that found it idle.</summary>
    private readonly SemaphoreSlim _writing = new(1, 1);
    private WriterConnection? _writerConnection;
    private bool? _synchronousFull;
    private bool _disposed;
    private int _queued; // writes in the queue, not yet taken by the loop (the channel with one reader does not count)

    public SqliteDatabase(string path)
    {
        PrivateDatabaseFile.Prepare(Path.GetFullPath(path));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Opens a pooled connection for reading. The caller disposes it.</summary>
    public async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <summary>A write of the shared stores, through the group-committing writer like every other (see <see cref="WriteAsync"/>).</summary>
    public override ValueTask<T> RunWriteAsync<T>(Func<DbConnection, DbTransaction, ValueTask<T>> work, CancellationToken cancellationToken, bool durable = true, bool background = false) =>
        Enqueue(new SharedWriteItem<T>(work, durable, background), cancellationToken);

    /// <summary>One statement is a write like any other here: it joins the group commit.</summary>
    public override ValueTask<T> RunStatementAsync<T>(Func<DbConnection, DbTransaction?, ValueTask<T>> work, CancellationToken cancellationToken, bool durable = true) =>
        Enqueue(new SharedWriteItem<T>(work, durable, background: false), cancellationToken);

    /// <summary>Microsoft.Data.Sqlite executes synchronously under its async API; calling it directly saves the two Tasks of <see cref="DbCommand.ExecuteReaderAsync(CancellationToken)"/>.</summary>
    public override ValueTask<DbDataReader> ExecuteReaderAsync(DbCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<DbDataReader>(command.ExecuteReader());
    }

    /// <remarks>Inside the one writer's transaction nobody else can create the row between the two statements.</remarks>
    public override async ValueTask<long?> RepositoryIdAsync(DbConnection connection, string name, DbTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
    {
        if (createdAt is { } now)
        {
            await using var insert = connection.Command("INSERT INTO repositories (name, created_at) VALUES (@n, @t) ON CONFLICT (name) DO NOTHING", transaction)
                .With("@n", name).With("@t", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = connection.Command("SELECT id FROM repositories WHERE name = @n", transaction).With("@n", name);
        return await select.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    public override string InList(string expression, string parameter) => $"{expression} IN (SELECT value FROM json_each({parameter}))";

    /// <summary>A JSON array, which <c>json_each</c> unpacks.</summary>
    public override object ListValue(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    /// <summary>A JSON array of numbers, which <c>json_each</c> unpacks as integers.</summary>
    public override object ListValue(IEnumerable<long> values) => JsonSerializer.Serialize(values);

    /// <summary>
    /// Runs <paramref name="work"/> atomically and returns its result once it has committed; when it throws,
    /// none of its changes persist and the exception is rethrown to the caller.
    /// </summary>
    /// <remarks>
    /// Group commit: concurrent writes queue up and one writer runs every queued piece of work in a single
    /// transaction, each inside its own savepoint, then commits once. With <c>synchronous=FULL</c> a commit
    /// costs one WAL fsync (~1.7 ms on this machine class), so eight concurrent pushes share one fsync
    /// instead of queueing for eight. A durable batch is fsynced before any of its callers returns (and with
    /// it every earlier commit, as the WAL is sequential). A batch of only non-durable work — upload-session
    /// bookkeeping — skips the fsync: it survives a crash of the process but may be lost with the power,
    /// after which the client restarts its upload. A write that finds the writer idle commits at once on the caller's
    /// flow (<see cref="RunAloneAsync{T}"/>).
    /// </remarks>
    public ValueTask<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, ValueTask<T>> work, CancellationToken cancellationToken, bool durable = true) =>
        Enqueue(new WriteItem<T>(work, durable, background: false), cancellationToken);

    private ValueTask<T> Enqueue<T>(WriteItemBase<T> item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Running.Value is { Active: true } running)
        {
            // Asked by work the writer is running (the collector deletes a small blob's row while its batch holds the
            // blob's row): queueing it would wait for the writer, which waits for this. It joins the running transaction.
            if (item.Durable && !running.Durable)
            {
                throw new InvalidOperationException("a durable write cannot join a batch that is not flushed");
            }

            return item.RunNestedAsync(running.Connection, running.Transaction);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!item.Background && Volatile.Read(ref _queued) == 0 && _writing.Wait(0, CancellationToken.None))
        {
            return RunAloneAsync(item);
        }

        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(SqliteDatabase));
        }

        return new ValueTask<T>(item.Task);
    }

    /// <summary>
    /// A write that finds the writer idle and nothing queued commits on the caller's flow, as a batch of one: handing it
    /// to the writer's loop and its result back cost two thread hops, most of what a lone small write waits for. Writes
    /// that arrive meanwhile queue, and the loop takes them as one batch once this one is done.
    /// </summary>
    private async ValueTask<T> RunAloneAsync<T>(WriteItemBase<T> item)
    {
        try
        {
            await CommitBatchAsync([item]);
        }
        finally
        {
            _writing.Release();
        }

        return await item.Task; // completed by the commit: no hop
    }

    /// <remarks>
    /// Background work (the garbage collector's batches) never shares a transaction with other writes and runs only
    /// when no other write is waiting: a push waits at most for the one background item already running.
    /// </remarks>
    private async Task WriteLoopAsync()
    {
        var batch = new List<IWriteItem>(MaxBatch);
        var deferred = new Queue<IWriteItem>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                Interlocked.Decrement(ref _queued);
                if (item.Background)
                {
                    deferred.Enqueue(item);
                }
                else
                {
                    batch.Add(item);
                }
            }

            if (batch.Count == 0 && deferred.TryDequeue(out var background))
            {
                batch.Add(background);
            }

            if (batch.Count > 0)
            {
                await _writing.WaitAsync();
                try
                {
                    await CommitBatchAsync(batch);
                }
                finally
                {
                    _writing.Release();
                }

                continue;
            }

            if (!await _queue.Reader.WaitToReadAsync())
            {
                await _writing.WaitAsync();
                await CloseWriterConnectionAsync();
                return;
            }
        }
    }

    private async Task CommitBatchAsync(List<IWriteItem> batch)
    {
        var committed = new List<IWriteItem>(batch.Count);
        try
        {
            var connection = await WriterConnectionAsync();
            var durable = batch.Exists(i => i.Durable);
            if (_synchronousFull != durable)
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
                await pragma.ExecuteNonQueryAsync();
                _synchronousFull = durable;
            }

            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            // A batch of one needs no savepoint: its work failing rolls back the whole transaction, which is only its.
            var alone = batch.Count == 1;
            foreach (var item in batch)
            {
                if (!alone)
                {
                    await transaction.SaveAsync("item");
                }

                var running = new RunningWrite(connection, transaction, durable);
                Running.Value = running;
                try
                {
                    await item.RunAsync(connection, transaction);
                    running.Active = false;
                    if (!alone)
                    {
                        await transaction.ReleaseAsync("item");
                    }

                    committed.Add(item);
                }
                catch (Exception) when (RolledBackBySqlite(connection))
                {
                    // SQLITE_FULL and I/O errors can make SQLite roll the whole transaction back itself: nothing of the
                    // batch persists, so every item of it fails (below) with this item's error.
                    throw;
                }
                catch (Exception e)
                {
                    running.Active = false;
                    if (alone)
                    {
                        await transaction.RollbackAsync();
                        item.Fail(Translate(e));
                        return;
                    }

                    await transaction.RollbackAsync("item");
                    await transaction.ReleaseAsync("item");
                    item.Fail(Translate(e));
                }
                finally
                {
                    running.Active = false;
                    Running.Value = null;
                }
            }

            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            // A batch that failed as a whole (disk full, I/O error) leaves nothing to trust on its connection.
            await CloseWriterConnectionAsync();
            var failure = Translate(e);
            foreach (var item in batch)
            {
                item.Fail(failure);
            }

            return;
        }

        foreach (var item in committed)
        {
            item.Complete();
        }
    }

    /// <summary>
    /// How many pages the WAL may hold before the writer's commit copies them into the database file (SQLite's
    /// default is 1,000, 4 MiB). A checkpoint writes every page changed since the last one, once, and fsyncs the file,
    /// while every write waits: a push of a small image puts about 35 pages in the WAL, many of them the same hot pages
    /// (a repository's tags, the audit log's and the outbox's last page), so one checkpoint every ~30 pushes wrote those
    /// pages again each time. At 10,000 (a WAL of up to 40 MiB) 8 workers pushing small images wrote 19 % fewer bytes
    /// and pushed 7 % more images a second (docs/design/metadata-sql.md).
    /// </summary>
    internal const int CheckpointPages = 10_000;

    /// <summary>The writer's connection, opened on its first batch and kept for the next ones (with their prepared statements).</summary>
    private async ValueTask<WriterConnection> WriterConnectionAsync()
    {
        if (_writerConnection is null)
        {
            var connection = new WriterConnection(_connectionString);
            await connection.OpenAsync();
            await using (var pragma = connection.CreateCommand())
            {
                // temp_store: the pages a write's savepoint (each batch mate has one) or statement changes are kept as they
                // were, for a rollback of that write alone; past 64 KiB SQLite spilled them to a temporary file, which a
                // batch of small pushes wrote 18-23 KB to per image. In memory they cost at most the batch's own pages.
                pragma.CommandText = $"PRAGMA wal_autocheckpoint = {CheckpointPages}; PRAGMA temp_store = MEMORY";
                await pragma.ExecuteNonQueryAsync();
            }

            _writerConnection = connection;
        }

        return _writerConnection;
    }

    private async ValueTask CloseWriterConnectionAsync()
    {
        if (_writerConnection is { } connection)
        {
            _writerConnection = null;
            _synchronousFull = null;
            await connection.DisposeAsync();
        }
    }

    /// <summary>Whether the connection is back in autocommit mode inside what was an open transaction: SQLite ended it.</summary>
    private static bool RolledBackBySqlite(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;

    /// <summary>SQLITE_FULL (the disk holding the database, its WAL or a temporary file is full) becomes <see cref="StorageFullException"/>; SQLite has rolled the write back.</summary>
    private static Exception Translate(Exception e) =>
        e is SqliteException { SqliteErrorCode: SqliteFull } ? new StorageFullException("the database file's disk is full", e) : e;

    /// <summary>The write the writer is running, seen by the work it runs (and only while it runs: work that outlives it queues).</summary>
    private static readonly AsyncLocal<RunningWrite?> Running = new();

    private sealed class RunningWrite(SqliteConnection connection, SqliteTransaction transaction, bool durable)
    {
        public SqliteConnection Connection => connection;

        public SqliteTransaction Transaction => transaction;

        public bool Durable => durable;

        public bool Active { get; set; } = true;
    }

    private interface IWriteItem
    {
        bool Durable { get; }

        bool Background { get; }

        Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception exception);
    }

    private abstract class WriteItemBase<T>(bool durable, bool background) : IWriteItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public bool Durable => durable;

        public bool Background => background;

        public Task<T> Task => _completion.Task;

        public async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) => _result = await RunWorkAsync(connection, transaction);

        /// <summary>Runs the work inside a write that is already running; its changes commit or roll back with that write's.</summary>
        public ValueTask<T> RunNestedAsync(SqliteConnection connection, SqliteTransaction transaction) => RunWorkAsync(connection, transaction);

        public void Complete() => _completion.TrySetResult(_result!);

        public void Fail(Exception exception) => _completion.TrySetException(exception);

        protected abstract ValueTask<T> RunWorkAsync(SqliteConnection connection, SqliteTransaction transaction);
    }

    /// <summary>A write of this project's own stores, on the typed connection.</summary>
    private sealed class WriteItem<T>(Func<SqliteConnection, SqliteTransaction, ValueTask<T>> work, bool durable, bool background) : WriteItemBase<T>(durable, background)
    {
        protected override ValueTask<T> RunWorkAsync(SqliteConnection connection, SqliteTransaction transaction) => work(connection, transaction);
    }

    /// <summary>A write of the shared stores (Wharf.Metadata): the same queue, no wrapping delegate.</summary>
    private sealed class SharedWriteItem<T>(Func<DbConnection, DbTransaction, ValueTask<T>> work, bool durable, bool background) : WriteItemBase<T>(durable, background)
    {
        protected override ValueTask<T> RunWorkAsync(SqliteConnection connection, SqliteTransaction transaction) => work(connection, transaction);
    }

    /// <summary>Nothing: the one writer never holds a row another worker could skip.</summary>
    public override string RowLock(string mode) => "";

    public override string SkipLocked => "";

    public override bool WritesOneAtATime => true;

    protected override string NowMillisecondsSql => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    protected override Assembly MigrationsAssembly => typeof(SqliteDatabase).Assembly;

    protected override async Task PrepareMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);", cancellationToken);
    }

    /// <summary>
    /// Opens the writer's connection (an empty write) once the schema is current, so that a started server holds its
    /// files from the start rather than from its first write.
    /// </summary>
    protected override async Task AfterMigrationsAsync(CancellationToken cancellationToken) =>
        await RunWriteAsync((_, _) => ValueTask.FromResult(true), cancellationToken, durable: false);

    public void Dispose()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(10));
        SqliteConnection.ClearAllPools();
    }
}
