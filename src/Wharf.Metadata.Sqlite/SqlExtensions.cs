using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;

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

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>Returns the id of a repository, creating it when <paramref name="create"/> is set; null when absent.</summary>
    public static async ValueTask<long?> RepositoryIdAsync(this SqliteConnection connection, string name, SqliteTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
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

/// <summary>Reading a one-column page fetched with LIMIT n+1.</summary>
internal static class PageReader
{
    public static async ValueTask<Page<string>> ReadPageAsync(this SqliteCommand command, int limit, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
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
}

/// <summary>LIKE patterns that match their text literally (with <c>ESCAPE '\'</c>).</summary>
internal static class LikePattern
{
    public static string Escape(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
