using System.Data.Common;
using System.Reflection;
using Npgsql;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// The PostgreSQL database: a pooled data source, transactions and versioned migrations. Every instance of
/// a scaled-out Wharf opens its own; PostgreSQL serialises what must be serialised (row locks, unique keys,
/// an advisory lock around migrations), so nothing here depends on being the only process.
/// </summary>
public sealed class PostgreSqlDatabase : SqlDatabase, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _dedicatedConnectionString;

    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema that holds Wharf's tables (created by <see cref="MigrateAsync"/>).</param>
    public PostgreSqlDatabase(string connectionString, string schema = "public")
    {
        Schema = schema;
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            SearchPath = schema,
        };
        // Short defaults so that a database outage answers 503 quickly instead of holding requests.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
        }

        if (!connectionString.Contains("Command Timeout", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("CommandTimeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.CommandTimeout = 15;
        }

        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _dedicatedConnectionString = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false }.ConnectionString;
    }

    public string Schema { get; }

    /// <summary>Opens a pooled connection. The caller disposes it.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Opens a connection of its own, outside the pool, for a caller that holds it for long (the cache listener's
    /// LISTEN): a pool never hands it to anyone else, and closing it closes the session. The caller disposes it.
    /// </summary>
    public async ValueTask<NpgsqlConnection> OpenDedicatedAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_dedicatedConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Reads through <see cref="NpgsqlCommand"/> itself: the generic ADO.NET path would add an async wrapper (one allocation) to every manifest and upload read.</summary>
    public override async ValueTask<T?> ReadFirstAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await ((NpgsqlCommand)command).ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    /// <remarks>
    /// The insert takes no lock on an existing row (so pushes into one repository do not queue behind each
    /// other); when a concurrent transaction created the row, the second SELECT sees it with a fresh snapshot.
    /// </remarks>
    public override async ValueTask<long?> RepositoryIdAsync(DbConnection connection, string name, DbTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
    {
        var existing = await SelectRepositoryIdAsync(connection, name, transaction, cancellationToken);
        if (existing is not null || createdAt is not { } now)
        {
            return existing;
        }

        await using var insert = connection.Command(
            "INSERT INTO repositories (name, created_at) VALUES (@n, @t) ON CONFLICT (name) DO NOTHING RETURNING id", transaction)
            .With("@n", name).With("@t", now);
        return await insert.ExecuteScalarAsync(cancellationToken) is long id ? id : await SelectRepositoryIdAsync(connection, name, transaction, cancellationToken);
    }

    private static async ValueTask<long?> SelectRepositoryIdAsync(DbConnection connection, string name, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var select = connection.Command("SELECT id FROM repositories WHERE name = @n", transaction).With("@n", name);
        return await select.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    public override string InList(string expression, string parameter) => $"{expression} = ANY({parameter})";

    /// <summary>A text[] array.</summary>
    public override object ListValue(IEnumerable<string> values) => values.ToArray();

    /// <summary>A bigint[] array.</summary>
    public override object ListValue(IEnumerable<long> values) => values.ToArray();

    public override string RowLock(string mode) => " FOR " + mode;

    public override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    protected override string NowMillisecondsSql => "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    protected override Assembly MigrationsAssembly => typeof(PostgreSqlDatabase).Assembly;

    /// <summary>Creates the schema and the migrations table, under the migration lock (several instances may start at once).</summary>
    protected override async Task PrepareMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockMigrationsAsync(connection, transaction, cancellationToken);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Quote(Schema)}", cancellationToken);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Takes the advisory lock that serialises migrations of this schema across instances, until the transaction ends.</summary>
    protected override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT pg_advisory_xact_lock(hashtextextended('wharf-migrate:' || @s, 0))", transaction).With("@s", Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A transaction-scoped advisory lock on <paramref name="key"/> within this schema (other schemas of the database never wait for it).</summary>
    public override async Task LockAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT pg_advisory_xact_lock(hashtextextended(@s || ':' || @k, 0))", transaction).With("@s", Schema).With("@k", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops the schema and everything in it (tests and tear-down only).</summary>
    public async Task DropSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"DROP SCHEMA IF EXISTS {Quote(Schema)} CASCADE", cancellationToken);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
