using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <remarks>Rows are only ever inserted and deleted, never updated: concurrent failures of one key never wait on each other.</remarks>
public sealed class PostgreSqlLoginFailureStore(PostgreSqlDatabase database) : ILoginFailureStore
{
    public async ValueTask RecordAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("INSERT INTO login_failures (throttle_key, failed_at) SELECT k, @t FROM unnest(@keys) AS k")
            .With("keys", keys.ToArray()).With("t", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<DateTimeOffset?> NthLatestAsync(IReadOnlyList<string> keys, int count, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return null;
        }

        // One index probe per key (login_failures_by_key, backwards): its count-th most recent failure in the window.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            SELECT max(t) FROM (
                SELECT (SELECT f.failed_at FROM login_failures f WHERE f.throttle_key = k AND f.failed_at > @since
                        ORDER BY f.failed_at DESC OFFSET @skip LIMIT 1) AS t
                FROM unnest(@keys) AS k) probes
            """)
            .With("keys", keys.ToArray()).With("since", since.ToUnixTimeMilliseconds()).With("skip", (long)(count - 1));
        return await command.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public async ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM login_failures WHERE failed_at <= @t").With("t", before.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
