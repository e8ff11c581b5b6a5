using Npgsql;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <summary>Terse helpers for parameterised commands.</summary>
internal static class SqlExtensions
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);

    public static NpgsqlCommand With(this NpgsqlCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>
    /// Returns the id of a repository, creating it when <paramref name="createdAt"/> is given; null when absent.
    /// The insert takes no lock on an existing row (so pushes into one repository do not queue behind each
    /// other); when a concurrent transaction created the row, the second SELECT sees it with a fresh snapshot.
    /// </summary>
    public static async ValueTask<long?> RepositoryIdAsync(this NpgsqlConnection connection, string name, NpgsqlTransaction? transaction, long? createdAt, CancellationToken cancellationToken)
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

    private static async ValueTask<long?> SelectIdAsync(NpgsqlConnection connection, string name, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var select = connection.Command("SELECT id FROM repositories WHERE name = @n", transaction).With("n", name);
        return await select.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    public static async ValueTask<Page<string>> ReadPageAsync(this NpgsqlCommand command, int limit, CancellationToken cancellationToken)
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

/// <summary>LIKE patterns that match their text literally (PostgreSQL's default escape character is the backslash).</summary>
internal static class LikePattern
{
    public static string Escape(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
