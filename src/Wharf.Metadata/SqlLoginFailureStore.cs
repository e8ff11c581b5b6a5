using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// Failed sign-ins per throttle key. Each engine writes the two statements that take a list of keys (a
/// generated VALUES list and UNION of probes on SQLite, <c>unnest</c> on PostgreSQL); running them and
/// pruning are shared. Rows are only ever inserted and deleted, never updated, so concurrent failures of one
/// key never wait on each other. Not durable on SQLite (no fsync of its own): a failure lost with the power
/// only gives a guesser a fresh window.
/// </summary>
public abstract class SqlLoginFailureStore(SqlDatabase database) : ILoginFailureStore
{
    public async ValueTask RecordAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = InsertCommand(connection, transaction, keys, at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);
    }

    public async ValueTask<DateTimeOffset?> NthLatestAsync(IReadOnlyList<string> keys, int count, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return null;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = NthLatestCommand(connection, keys, since.ToUnixTimeMilliseconds(), count - 1);
        return await command.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM login_failures WHERE failed_at <= @t", transaction).With("@t", before.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    /// <summary>Inserts one failure at <paramref name="at"/> (Unix ms) for each of <paramref name="keys"/> (never empty).</summary>
    protected abstract DbCommand InsertCommand(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> keys, long at);

    /// <summary>
    /// Selects the latest, over <paramref name="keys"/> (never empty), of each key's (<paramref name="skip"/>+1)-th most
    /// recent failure after <paramref name="since"/> (Unix ms): one index probe per key.
    /// </summary>
    protected abstract DbCommand NthLatestCommand(DbConnection connection, IReadOnlyList<string> keys, long since, int skip);
}
