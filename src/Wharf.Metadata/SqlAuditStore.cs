using System.Data.Common;
using System.Text;
using Wharf.Core.Audit;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// The audit log, the same SQL on every engine. An append is one statement: on SQLite it joins the group commit
/// without a flush of its own (not durable: a power loss may take the last events, never the actions they record);
/// on PostgreSQL it autocommits on a pooled connection. Queries filter by equality on indexed columns and page by id.
/// </summary>
public sealed class SqlAuditStore(SqlDatabase database) : IAuditStore
{
    private const string Columns = "id, at, actor, actor_kind, client_address, action, repository, target, detail, request_id";

    public async ValueTask AppendAsync(AuditEvent entry, CancellationToken cancellationToken) =>
        await database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "INSERT INTO audit_events (at, actor, actor_kind, client_address, action, repository, target, detail, request_id) " +
                "VALUES (@at, @actor, @kind, @client, @action, @repository, @target, @detail, @request)", transaction)
                .With("@at", entry.At.ToUnixTimeMilliseconds()).WithText("@actor", entry.Actor).WithText("@kind", entry.ActorKind)
                .WithText("@client", entry.ClientAddress).WithText("@action", entry.Action).WithText("@repository", entry.Repository)
                .WithText("@target", entry.Target).WithText("@detail", entry.Detail).WithText("@request", entry.RequestId);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    public async ValueTask<Page<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("");
        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM audit_events WHERE 1 = 1");
        command.AndEquals(sql, "actor", "@actor", query.Actor);
        command.AndEquals(sql, "action", "@action", query.Action);
        command.AndEquals(sql, "repository", "@repository", query.Repository);
        if (query.Since is { } since)
        {
            sql.Append(" AND at >= @since");
            command.With("@since", since.ToUnixTimeMilliseconds());
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND at < @until");
            command.With("@until", until.ToUnixTimeMilliseconds());
        }

        if (query.Before is { } before)
        {
            sql.Append(" AND id < @before");
            command.With("@before", before);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit");
        command.With("@limit", (long)query.Limit + 1);
        command.CommandText = sql.ToString();
        return await database.ReadPageAsync(command, query.Limit, Read, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM audit_events WHERE at < @t", transaction).With("@t", before.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    private static AuditEvent Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetTime(1), reader.GetString(2), reader.GetString(3), Text(reader, 4), reader.GetString(5),
        Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9));

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
