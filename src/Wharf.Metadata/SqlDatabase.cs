using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// What the shared SQL stores need of a database engine: connections, write transactions, the migrations
/// runner, and the few pieces of SQL that the engines spell differently. Statements written for both engines
/// name their parameters <c>@name</c>, which SQLite and PostgreSQL both accept.
/// </summary>
public abstract class SqlDatabase
{
    /// <summary>Opens a pooled connection. The caller disposes it.</summary>
    public abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> atomically and returns its result once it has committed; when it throws,
    /// none of its changes persist. <paramref name="durable"/> false allows an engine to skip its own flush to
    /// disk for bookkeeping that a power loss may take. <paramref name="background"/> work (the garbage collector) may
    /// be made to wait for every other write, where an engine serialises writes.
    /// </summary>
    public virtual async ValueTask<T> RunWriteAsync<T>(Func<DbConnection, DbTransaction, ValueTask<T>> work, CancellationToken cancellationToken, bool durable = true, bool background = false)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/>, a single statement that needs no transaction around it: PostgreSQL autocommits
    /// it on a pooled connection (no BEGIN/COMMIT round trips); SQLite queues it for its one writer.
    /// </summary>
    public virtual async ValueTask<T> RunStatementAsync<T>(Func<DbConnection, DbTransaction?, ValueTask<T>> work, CancellationToken cancellationToken, bool durable = true)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await work(connection, null);
    }

    /// <summary>Executes a query; an engine may override this to skip the wrapper tasks of the generic ADO.NET path.</summary>
    public virtual ValueTask<DbDataReader> ExecuteReaderAsync(DbCommand command, CancellationToken cancellationToken) =>
        new(command.ExecuteReaderAsync(cancellationToken));

    /// <summary>Reads a one-column page fetched with LIMIT n+1.</summary>
    public async ValueTask<Page<string>> ReadPageAsync(DbCommand command, int limit, CancellationToken cancellationToken)
    {
        await using var reader = await ExecuteReaderAsync(command, cancellationToken);
        var items = new List<string>(Math.Min(limit, 1024));
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == limit)
            {
                more = true;
                break;
            }

            items.Add(reader.GetString(0));
        }

        return new Page<string>(items, more);
    }

    /// <summary>Reads a page of rows fetched with LIMIT <paramref name="limit"/> + 1: the first <paramref name="limit"/>, and whether there were more.</summary>
    public async ValueTask<Page<T>> ReadPageAsync<T>(DbCommand command, int limit, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = await ReadAllAsync(command, read, cancellationToken);
        return rows.Count > limit ? new Page<T>(rows.Take(limit).ToList(), true) : new Page<T>(rows, false);
    }

    /// <summary>Reads every row of <paramref name="command"/> with <paramref name="read"/>.</summary>
    public async ValueTask<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await ExecuteReaderAsync(command, cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Reads the first row of <paramref name="command"/> with <paramref name="read"/>; null when there is none.</summary>
    /// <remarks>Manifest and upload reads come here: an engine may override it to read through its own command type.</remarks>
    public virtual async ValueTask<T?> ReadFirstAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await ExecuteReaderAsync(command, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    /// <summary>
    /// The id of the repository <paramref name="name"/>, creating it when <paramref name="createdAt"/> (Unix ms) is given;
    /// null when absent. Each engine creates it its own way (see their notes on locking).
    /// </summary>
    public abstract ValueTask<long?> RepositoryIdAsync(DbConnection connection, string name, DbTransaction? transaction, long? createdAt, CancellationToken cancellationToken);

    /// <summary>SQL true when <paramref name="expression"/> is one of the strings bound to <paramref name="parameter"/> by <see cref="ListValue"/>.</summary>
    public abstract string InList(string expression, string parameter);

    /// <summary>The value to bind for an <see cref="InList"/> parameter.</summary>
    public abstract object ListValue(IEnumerable<string> values);

    /// <summary>The value to bind for an <see cref="InList"/> parameter of whole numbers.</summary>
    public abstract object ListValue(IEnumerable<long> values);

    /// <summary>
    /// True where one write transaction runs at a time in the whole database (SQLite), so that ids taken in write
    /// transactions follow their commit order everywhere, not only where a row lock orders them.
    /// </summary>
    public virtual bool WritesOneAtATime => false;

    /// <summary>The locking clause that ends a SELECT of queue rows which concurrent workers skip instead of waiting for ("" where one writer at a time makes it moot).</summary>
    public abstract string SkipLocked { get; }

    /// <summary>
    /// A row-locking clause (<c>FOR UPDATE</c>, <c>FOR SHARE</c>, <c>FOR KEY SHARE</c>) that ends a SELECT, or "" on an
    /// engine where the one writer at a time already serialises every write transaction.
    /// </summary>
    public abstract string RowLock(string mode);

    /// <summary>SQL for the current time in Unix milliseconds.</summary>
    protected abstract string NowMillisecondsSql { get; }

    /// <summary>The assembly whose embedded <c>Migrations/NNNN_name.sql</c> resources hold this engine's schema.</summary>
    protected abstract Assembly MigrationsAssembly { get; }

    /// <summary>Creates what migrations need (the <c>schema_migrations</c> table, an engine's own settings) outside any migration.</summary>
    protected abstract Task PrepareMigrationsAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Serialises the transaction with every other transaction that takes the same <paramref name="key"/>, until it ends.
    /// SQLite has one writer, so nothing to do; PostgreSQL takes a transaction-scoped advisory lock.
    /// </summary>
    public virtual Task LockAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises migrations across processes for the rest of <paramref name="transaction"/>, where the engine needs it.</summary>
    protected virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Brings the schema up to date. Idempotent; each migration runs once, in its own transaction, after the
    /// engine's migration lock (see <see cref="LockMigrationsAsync"/>) so that concurrent runners take turns.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await PrepareMigrationsAsync(connection, cancellationToken);
        var assembly = MigrationsAssembly;
        foreach (var (version, name) in Migrations(assembly))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockMigrationsAsync(connection, transaction, cancellationToken);
            await using (var check = connection.Command("SELECT 1 FROM schema_migrations WHERE version = @v", transaction).With("@v", version))
            {
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            await ExecuteAsync(connection, transaction, await reader.ReadToEndAsync(cancellationToken), cancellationToken);
            await ExecuteAsync(connection, transaction, string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, {NowMillisecondsSql})"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await AfterMigrationsAsync(cancellationToken);
    }

    /// <summary>What an engine sets up once its schema is current (nothing by default).</summary>
    protected virtual Task AfterMigrationsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The applied migration versions, ascending.</summary>
    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return versions;
    }

    /// <summary>The migrations embedded in <paramref name="assembly"/>, as (version, resource name), by version.</summary>
    public static IEnumerable<(int Version, string Name)> Migrations(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (int.Parse(n.AsSpan(11, 4), CultureInfo.InvariantCulture), n))
            .OrderBy(m => m.Item1);

    /// <summary>Runs one statement (or script) that returns nothing.</summary>
    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
