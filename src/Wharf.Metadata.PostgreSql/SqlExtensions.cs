using System.Data.Common;
using Npgsql;

namespace Wharf.Metadata.PostgreSql;

/// <summary>Terse helpers for parameterised commands.</summary>
internal static class SqlExtensions
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);


    /// <summary>
    /// Returns the id of a repository, creating it when <paramref name="createdAt"/> is given; null when absent.
    /// The insert takes no lock on an existing row (so pushes into one repository do not queue behind each
    /// other); when a concurrent transaction created the row, the second SELECT sees it with a fresh snapshot.
    /// </summary>
    public static async ValueTask<long?> RepositoryIdAsync(this DbConnection connection, string name, DbTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
    {
        var existing = await SelectIdAsync(connection, name, transaction, cancellationToken);
        if (existing is not null || createdAt is not { } now)
        {
            return existing;
        }

        await using var insert = connection.Command(
            "INSERT INTO repositories (name, created_at) VALUES (@n, @t) ON CONFLICT (name) DO NOTHING RETURNING id", transaction)
            .With("n", name).With("t", now);
        return await insert.ExecuteScalarAsync(cancellationToken) is long id ? id : await SelectIdAsync(connection, name, transaction, cancellationToken);
    }

    private static async ValueTask<long?> SelectIdAsync(DbConnection connection, string name, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var select = connection.Command("SELECT id FROM repositories WHERE name = @n", transaction).With("n", name);
        return await select.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }
}
