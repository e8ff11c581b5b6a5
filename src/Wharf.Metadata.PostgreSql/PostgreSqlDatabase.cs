using System.Globalization;
using System.Reflection;
using Npgsql;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// The PostgreSQL database: a pooled data source, transactions and versioned migrations. Every instance of
/// a scaled-out Wharf opens its own; PostgreSQL serialises what must be serialised (row locks, unique keys,
/// an advisory lock around migrations), so nothing here depends on being the only process.
/// </summary>
public sealed class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

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
    }

    public string Schema { get; }

    /// <summary>Opens a pooled connection. The caller disposes it.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one READ COMMITTED transaction; commits when it returns, rolls back when it throws.</summary>
    public async ValueTask<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>
    /// Brings the schema up to date. Idempotent and safe to run from several instances at once: an advisory
    /// lock makes them take turns, and each migration runs once, in its own transaction.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await LockMigrationsAsync(connection, transaction, cancellationToken);
            await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Quote(Schema)}", cancellationToken);
            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var assembly = typeof(PostgreSqlDatabase).Assembly;
        foreach (var (version, name) in Migrations(assembly))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockMigrationsAsync(connection, transaction, cancellationToken);
            await using (var check = new NpgsqlCommand("SELECT 1 FROM schema_migrations WHERE version = @v", connection, transaction))
            {
                check.Parameters.AddWithValue("v", version);
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            await ExecuteAsync(connection, transaction, await reader.ReadToEndAsync(cancellationToken), cancellationToken);
            await ExecuteAsync(connection, transaction, string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>Takes the advisory lock that serialises migrations of this schema across instances, until the transaction ends.</summary>
    private async Task LockMigrationsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('wharf-migrate:' || @s, 0))", connection, transaction);
        command.Parameters.AddWithValue("s", Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The applied migration versions, ascending.</summary>
    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    /// <summary>Drops the schema and everything in it (tests and tear-down only).</summary>
    public async Task DropSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"DROP SCHEMA IF EXISTS {Quote(Schema)} CASCADE", cancellationToken);
    }

    /// <summary>The migrations embedded in this assembly, as (version, resource name), by version.</summary>
    public static IEnumerable<(int Version, string Name)> Migrations(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (int.Parse(n.AsSpan(11, 4), CultureInfo.InvariantCulture), n))
            .OrderBy(m => m.Item1);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
