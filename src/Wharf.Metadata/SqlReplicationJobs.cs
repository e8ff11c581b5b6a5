using System.Data.Common;
using System.Globalization;
using System.Text;
using Wharf.Core.Replication;

namespace Wharf.Metadata;

/// <summary>
/// Replication jobs on any engine (docs/design/replication.md). The manifest writer calls <see cref="WriteAsync"/> in the
/// push's transaction; the workers claim the head of each (rule, repository) line with a lease, copy outside any
/// transaction, and record the outcome only while they still hold the lease. Registered only when a push or pull rule
/// is configured: without one the push path writes nothing.
/// </summary>
public sealed class SqlReplicationJobs(SqlDatabase database, IReplicationRouting routing) : IReplicationJobs
{
    private const string Columns = "id, rule, repository, reference, digest, state, attempts, next_attempt_at, last_error, created_at, lease_until";

    /// <summary>Writes a pending job, due now, for each push rule matching the pushed tag, in the push's transaction; nothing when none matches.</summary>
    public async ValueTask WriteAsync(
        DbConnection connection, DbTransaction transaction, string repository, string tag, string digest, long now, CancellationToken cancellationToken)
    {
        foreach (var rule in routing.PushRulesFor(repository, tag))
        {
            await InsertAsync(connection, transaction, rule, repository, tag, digest, now, cancellationToken);
        }
    }

    public ValueTask<long> AddAsync(string rule, string repository, string reference, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunWriteAsync(
            (connection, transaction) => InsertAsync(connection, transaction, rule, repository, reference, digest, now.ToUnixTimeMilliseconds(), cancellationToken),
            cancellationToken);

    private static async ValueTask<long> InsertAsync(
        DbConnection connection, DbTransaction transaction, string rule, string repository, string reference, string digest, long now, CancellationToken cancellationToken)
    {
        await using var insert = connection.Command("""
            INSERT INTO replication_jobs (rule, repository, reference, digest, state, attempts, next_attempt_at, created_at)
            VALUES (@rule, @r, @ref, @d, 'pending', 0, @t, @t) RETURNING id
            """, transaction)
            .WithText("@rule", rule).WithText("@r", repository).WithText("@ref", reference).WithText("@d", digest).With("@t", now);
        return Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public ValueTask<bool> AddUnlessPendingAsync(string rule, string repository, string reference, string digest, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command("""
                INSERT INTO replication_jobs (rule, repository, reference, digest, state, attempts, next_attempt_at, created_at)
                SELECT @rule, @r, @ref, @d, 'pending', 0, @t, @t
                WHERE NOT EXISTS (SELECT 1 FROM replication_jobs WHERE state = 'pending' AND rule = @rule AND repository = @r
                                  AND reference = @ref AND digest = @d)
                """, transaction)
                .WithText("@rule", rule).WithText("@r", repository).WithText("@ref", reference).WithText("@d", digest).With("@t", now.ToUnixTimeMilliseconds());
            return await insert.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> ClaimPassAsync(string rule, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            await using (var first = connection.Command(
                "INSERT INTO replication_passes (rule, next_pass_at, last_jobs) VALUES (@rule, @t, 0) ON CONFLICT (rule) DO NOTHING", transaction)
                .WithText("@rule", rule).With("@t", nowMs))
            {
                await first.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var take = connection.Command("""
                UPDATE replication_passes SET lease_owner = @o, lease_until = @u
                WHERE rule = @rule AND next_pass_at <= @t AND (lease_until IS NULL OR lease_until <= @t)
                """, transaction)
                .WithText("@o", owner).With("@u", (now + lease).ToUnixTimeMilliseconds()).WithText("@rule", rule).With("@t", nowMs);
            return await take.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public ValueTask<bool> RenewPassAsync(string rule, string owner, DateTimeOffset until, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE replication_passes SET lease_until = @u WHERE rule = @rule AND lease_owner = @o", transaction)
                .With("@u", until.ToUnixTimeMilliseconds()).WithText("@rule", rule).WithText("@o", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public async ValueTask FinishPassAsync(string rule, string owner, DateTimeOffset now, DateTimeOffset next, int jobs, string? error, CancellationToken cancellationToken) =>
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                UPDATE replication_passes SET next_pass_at = @n, last_pass_at = @t, last_jobs = @j, last_error = @e, lease_owner = NULL, lease_until = NULL
                WHERE rule = @rule AND lease_owner = @o
                """, transaction)
                .With("@n", next.ToUnixTimeMilliseconds()).With("@t", now.ToUnixTimeMilliseconds()).With("@j", (long)jobs)
                .WithText("@e", error).WithText("@rule", rule).WithText("@o", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    public async ValueTask PassDueAsync(string rule, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                INSERT INTO replication_passes (rule, next_pass_at, last_jobs) VALUES (@rule, @t, 0)
                ON CONFLICT (rule) DO UPDATE SET next_pass_at = excluded.next_pass_at
                """, transaction).WithText("@rule", rule).With("@t", now.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<ReplicationPass>> PassesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT rule, next_pass_at, last_pass_at, last_jobs, last_error, lease_until FROM replication_passes ORDER BY rule");
        return await database.ReadAllAsync(command, r => new ReplicationPass(
            r.GetString(0), r.GetTime(1), r.GetTimeOrNull(2), Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture), r.IsDBNull(4) ? null : r.GetString(4),
            r.GetTimeOrNull(5)),
            cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ReplicationJob>> ClaimAsync(
        IReadOnlyCollection<string> rules, string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (rules.Count == 0)
        {
            return [];
        }

        return await database.RunWriteAsync<IReadOnlyList<ReplicationJob>>(async (connection, transaction) =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            IReadOnlyList<ReplicationJob> heads;
            // The head of a line: no pending job of the same rule and repository comes before it.
            await using (var select = connection.Command($"""
                SELECT {Columns} FROM replication_jobs j
                WHERE j.state = 'pending' AND j.next_attempt_at <= @now AND (j.lease_until IS NULL OR j.lease_until <= @now)
                  AND {database.InList("j.rule", "@rules")}
                  AND NOT EXISTS (SELECT 1 FROM replication_jobs p WHERE p.state = 'pending' AND p.rule = j.rule
                                  AND p.repository = j.repository AND p.id < j.id)
                ORDER BY j.id LIMIT @limit{database.SkipLocked}
                """, transaction).With("@now", nowMs).With("@rules", database.ListValue(rules)).With("@limit", (long)limit))
            {
                heads = await database.ReadAllAsync(select, Read, cancellationToken);
            }

            if (heads.Count > 0)
            {
                await using var take = connection.Command(
                    $"UPDATE replication_jobs SET lease_owner = @o, lease_until = @u WHERE {database.InList("id", "@i")}", transaction)
                    .WithText("@o", owner).With("@u", (now + lease).ToUnixTimeMilliseconds()).With("@i", database.ListValue(heads.Select(h => h.Id)));
                await take.ExecuteNonQueryAsync(cancellationToken);
            }

            return heads;
        }, cancellationToken, durable: false);
    }

    public ValueTask<bool> RenewAsync(long id, string owner, DateTimeOffset until, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                UPDATE replication_jobs SET lease_until = @u WHERE id = @i AND lease_owner = @o AND state = 'pending'
                """, transaction).With("@u", until.ToUnixTimeMilliseconds()).With("@i", id).WithText("@o", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public ValueTask<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                UPDATE replication_jobs SET state = 'done', attempts = attempts + 1, last_error = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = @i AND lease_owner = @o AND state = 'pending'
                """, transaction).With("@i", id).WithText("@o", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> FailAsync(long id, string owner, string error, bool dead, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                UPDATE replication_jobs SET state = @s, attempts = attempts + 1, next_attempt_at = @n, last_error = @e, lease_owner = NULL, lease_until = NULL
                WHERE id = @i AND lease_owner = @o AND state = 'pending'
                """, transaction)
                .WithText("@s", dead ? ReplicationJobStates.Dead : ReplicationJobStates.Pending).With("@n", nextAttemptAt.ToUnixTimeMilliseconds())
                .WithText("@e", error).With("@i", id).WithText("@o", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public async ValueTask<IReadOnlyList<ReplicationJob>> ListAsync(string? state, string? rule, int limit, CancellationToken cancellationToken, string? repository = null)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("");
        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM replication_jobs WHERE 1 = 1");
        command.AndEquals(sql, "state", "@state", state);
        command.AndEquals(sql, "rule", "@rule", rule);
        command.AndEquals(sql, "repository", "@repository", repository);
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        command.With("@limit", (long)limit);
        command.CommandText = sql.ToString();
        return await database.ReadAllAsync(command, Read, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM replication_jobs WHERE state = 'done' AND created_at < @t", transaction)
                .With("@t", before.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false, background: true);

    public async ValueTask<IReadOnlyList<ReplicationRuleStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT j.rule,
                   SUM(CASE WHEN j.state = 'pending' THEN 1 ELSE 0 END), SUM(CASE WHEN j.state = 'done' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN j.state = 'dead' THEN 1 ELSE 0 END),
                   (SELECT e.last_error FROM replication_jobs e WHERE e.rule = j.rule AND e.last_error IS NOT NULL ORDER BY e.id DESC LIMIT 1)
            FROM replication_jobs j GROUP BY j.rule ORDER BY j.rule
            """);
        return await database.ReadAllAsync(command, r => new ReplicationRuleStatus(
            r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
            Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture), r.IsDBNull(4) ? null : r.GetString(4)), cancellationToken);
    }

    private static ReplicationJob Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
        reader.GetInt32(6), reader.GetTime(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetTime(9), reader.GetTimeOrNull(10));
}
