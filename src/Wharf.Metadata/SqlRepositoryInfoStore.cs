using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>Repository descriptions, readmes and summaries, the same SQL on every engine but for the list membership test.</summary>
public sealed class SqlRepositoryInfoStore(SqlDatabase database) : IRepositoryInfoStore
{
    private const string SummaryColumns =
        "r.name, r.description, st.pull_count, st.last_pushed_at, st.last_pulled_at, (SELECT count(*) FROM tags t WHERE t.repository_id = r.id)";

    private const string From = "FROM repositories r JOIN repository_stats st ON st.repository_id = r.id";

    public async ValueTask<RepositoryDetails?> GetAsync(string repository, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SummaryColumns}, r.readme {From} WHERE r.name = @n").With("@n", repository);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new RepositoryDetails(ReadSummary(reader), reader.GetString(6)) : null;
    }

    public async ValueTask<IReadOnlyList<RepositorySummary>> GetSummariesAsync(IReadOnlyList<string> repositories, CancellationToken cancellationToken)
    {
        if (repositories.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SummaryColumns} {From} WHERE {database.InList("r.name", "@names")}")
            .With("@names", database.ListValue(repositories));
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        var found = new Dictionary<string, RepositorySummary>(repositories.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var summary = ReadSummary(reader);
            found[summary.Name] = summary;
        }

        return [.. repositories.Where(found.ContainsKey).Select(n => found[n])];
    }

    public ValueTask<bool> UpdateAsync(string repository, string? description, string? readme, CancellationToken cancellationToken) =>
        database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "UPDATE repositories SET description = coalesce(@d, description), readme = coalesce(@r, readme) WHERE name = @n", transaction)
                .With("@n", repository).WithText("@d", description).WithText("@r", readme);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    private static RepositorySummary ReadSummary(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetTimeOrNull(3),
        reader.GetTimeOrNull(4),
        checked((int)reader.GetInt64(5)));
}
