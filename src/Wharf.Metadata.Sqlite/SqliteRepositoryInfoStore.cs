using System.Text.Json;
using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteRepositoryInfoStore(SqliteDatabase database) : IRepositoryInfoStore
{
    private const string SummaryColumns =
        "r.name, r.description, st.pull_count, st.last_pushed_at, st.last_pulled_at, (SELECT count(*) FROM tags t WHERE t.repository_id = r.id)";

    private const string From = "FROM repositories r JOIN repository_stats st ON st.repository_id = r.id";

    public async ValueTask<RepositoryDetails?> GetAsync(string repository, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SummaryColumns}, r.readme {From} WHERE r.name = $n").With("$n", repository);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new RepositoryDetails(ReadSummary(reader), reader.GetString(6)) : null;
    }

    public async ValueTask<IReadOnlyList<RepositorySummary>> GetSummariesAsync(IReadOnlyList<string> repositories, CancellationToken cancellationToken)
    {
        if (repositories.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SummaryColumns} {From} WHERE r.name IN (SELECT value FROM json_each($names))")
            .With("$names", JsonSerializer.Serialize(repositories));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, RepositorySummary>(repositories.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var summary = ReadSummary(reader);
            found[summary.Name] = summary;
        }

        return [.. repositories.Where(found.ContainsKey).Select(n => found[n])];
    }

    public ValueTask<bool> UpdateAsync(string repository, string? description, string? readme, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "UPDATE repositories SET description = coalesce($d, description), readme = coalesce($r, readme) WHERE name = $n", transaction)
                .With("$n", repository).With("$d", description).With("$r", readme);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static RepositorySummary ReadSummary(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        Time(reader, 3),
        Time(reader, 4),
        reader.GetInt32(5));

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
