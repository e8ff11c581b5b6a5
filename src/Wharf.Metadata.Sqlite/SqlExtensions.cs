using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Wharf.Metadata.Sqlite;

/// <summary>Terse helpers for parameterised commands.</summary>
internal static class SqlExtensions
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Returns the id of a repository, creating it when <paramref name="create"/> is set; null when absent.</summary>
    public static async ValueTask<long?> RepositoryIdAsync(this DbConnection connection, string name, DbTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
    {
        if (createdAt is { } now)
        {
            await using var insert = connection.Command("INSERT INTO repositories (name, created_at) VALUES ($n, $t) ON CONFLICT (name) DO NOTHING", transaction)
                .With("$n", name).With("$t", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = connection.Command("SELECT id FROM repositories WHERE name = $n", transaction).With("$n", name);
        return await select.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }
}

