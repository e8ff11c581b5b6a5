using System.Data.Common;

namespace Wharf.Metadata.PostgreSql;

/// <summary>PostgreSQL's statements over a list of keys: one text[] parameter, unnested.</summary>
public sealed class PostgreSqlLoginFailureStore(PostgreSqlDatabase database) : SqlLoginFailureStore(database)
{
    protected override DbCommand InsertCommand(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> keys, long at) =>
        connection.Command("INSERT INTO login_failures (throttle_key, failed_at) SELECT k, @t FROM unnest(@keys) AS k", transaction)
            .With("@keys", keys.ToArray()).With("@t", at);

    // One index probe per key (login_failures_by_key, backwards): its (skip+1)-th most recent failure in the window.
    protected override DbCommand NthLatestCommand(DbConnection connection, IReadOnlyList<string> keys, long since, int skip) =>
        connection.Command(
            """
            SELECT max(t) FROM (
                SELECT (SELECT f.failed_at FROM login_failures f WHERE f.throttle_key = k AND f.failed_at > @since
                        ORDER BY f.failed_at DESC OFFSET @skip LIMIT 1) AS t
                FROM unnest(@keys) AS k) probes
            """)
            .With("@keys", keys.ToArray()).With("@since", since).With("@skip", (long)skip);
}
