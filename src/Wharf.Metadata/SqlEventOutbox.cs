using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Wharf.Core.Events;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// The webhook outbox on any engine (docs/design/webhooks.md). Writers call <see cref="LockRepositoryAsync"/> and
/// <see cref="WriteAsync"/> inside the transaction of the change they report; the dispatcher claims the head of each
/// (endpoint, repository) line with a lease, sends it outside any transaction, and records the outcome.
/// </summary>
/// <param name="fanOutBatch">The most events one fan-out makes deliveries for (SQLite): a backlog (events written while
/// no instance delivered) is spread over many short transactions instead of one that holds the writer every push waits for.</param>
public sealed class SqlEventOutbox(SqlDatabase database, IEventRoutes routes, EventSignal? signal = null, int fanOutBatch = 1000) : IEventOutbox
{
    private const string DeliveryColumns =
        "d.event_id, d.endpoint, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error, e.payload";

    private long _written; // events this instance has written (rolled back or not): a write that moves it wakes the dispatcher

    /// <summary>
    /// Locks the repository's row until the transaction ends (PostgreSQL; SQLite's one writer already serialises), so
    /// that the events of one repository are numbered in the order their transactions commit. Call it before the change.
    /// </summary>
    public async ValueTask LockRepositoryAsync(DbConnection connection, DbTransaction transaction, long repositoryId, CancellationToken cancellationToken)
    {
        var lockClause = database.RowLock("NO KEY UPDATE");
        if (lockClause.Length == 0)
        {
            return;
        }

        await using var command = connection.Command("SELECT 1 FROM repositories WHERE id = @r" + lockClause, transaction).With("@r", repositoryId);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Runs a store's write that may report events: without webhooks (<paramref name="events"/> null) the write alone,
    /// with no origin; with them, the write gets the origin of its events, read here on the caller's flow (the engine
    /// may run the write on a flow of its own), and the dispatcher is woken once the write has committed, if it wrote an event.
    /// </summary>
    public static ValueTask<T> Reporting<T>(SqlEventOutbox? events, Func<EventOrigin?, ValueTask<T>> write) =>
        events is null ? write(null) : events.SignalAfter(write, EventOrigin.Current);

    /// <summary>
    /// Awaits a write that may have written events and, once it has committed, wakes this instance's dispatcher if it
    /// wrote one. A write whose events no endpoint wanted wakes nothing: an idle dispatcher claims at once when woken,
    /// and with an endpoint filtered to other repositories every push made a claim that found nothing (side by side,
    /// 8 workers pushing small images: 180 us more server CPU per image than no webhooks at all, 0.96 of its rate).
    /// </summary>
    private async ValueTask<T> SignalAfter<T>(Func<EventOrigin?, ValueTask<T>> write, EventOrigin? origin)
    {
        var before = Volatile.Read(ref _written); // read before the write starts: it may finish on this thread
        var result = await write(origin);
        // Counts only grow: ours moved it if this write wrote an event (another write's may have too: one more wake).
        if (Volatile.Read(ref _written) != before)
        {
            signal?.Pulse();
        }

        return result;
    }

    /// <summary>Writes the event, with a pending delivery for each endpoint that wants it, in the caller's transaction; nothing when none does.</summary>
    public ValueTask WriteAsync(DbConnection connection, DbTransaction? transaction, RegistryEvent registryEvent, CancellationToken cancellationToken) =>
        Prepare(registryEvent) is { } prepared ? WriteAsync(connection, transaction, prepared, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>
    /// The event as it will be written, its endpoints chosen and its payload serialised, or null when no endpoint wants
    /// it. A change whose event is known before its transaction prepares it first: on SQLite the transaction runs on
    /// the one writer every push waits for, and the payload's serialisation was a fifth of the event's time there.
    /// </summary>
    public PreparedEvent? Prepare(RegistryEvent registryEvent) =>
        routes.EndpointsFor(registryEvent) is { Count: > 0 } endpoints
            ? new PreparedEvent(registryEvent, endpoints, JsonSerializer.Serialize(registryEvent, EventPayloadJson.Default.RegistryEvent))
            : null;

    /// <summary>
    /// Writes a prepared event in the caller's transaction: with its pending deliveries, or, where one writer orders every
    /// id (<see cref="SqlDatabase.WritesOneAtATime"/>), with the names of its endpoints for the next fan-out to make them.
    /// </summary>
    public async ValueTask WriteAsync(DbConnection connection, DbTransaction? transaction, PreparedEvent prepared, CancellationToken cancellationToken)
    {
        var (registryEvent, endpoints, payload) = prepared;
        var at = registryEvent.Timestamp.ToUnixTimeMilliseconds();
        if (database.WritesOneAtATime)
        {
            await using var deferred = connection.Command("""
                INSERT INTO events (created_at, repository, action, payload, endpoints) VALUES (@t, @r, @a, @p, @e)
                """, transaction)
                .With("@t", at).WithText("@r", registryEvent.Repository).WithText("@a", registryEvent.Action)
                .WithText("@p", payload).WithText("@e", string.Join(',', endpoints));
            await deferred.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            long id;
            await using (var insert = connection.Command("""
                INSERT INTO events (created_at, repository, action, payload) VALUES (@t, @r, @a, @p) RETURNING id
                """, transaction)
                .With("@t", at).WithText("@r", registryEvent.Repository).WithText("@a", registryEvent.Action).WithText("@p", payload))
            {
                id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            }

            foreach (var endpoint in endpoints)
            {
                await InsertDeliveryAsync(connection, transaction, id, endpoint, registryEvent.Repository, at, cancellationToken);
            }
        }

        Interlocked.Increment(ref _written);
    }

    private static async ValueTask InsertDeliveryAsync(
        DbConnection connection, DbTransaction? transaction, long eventId, string endpoint, string repository, long due, CancellationToken cancellationToken)
    {
        await using var delivery = connection.Command("""
            INSERT INTO event_deliveries (event_id, endpoint, repository, state, attempts, next_attempt_at) VALUES (@i, @n, @r, 'pending', 0, @t)
            """, transaction)
            .With("@i", eventId).WithText("@n", endpoint).WithText("@r", repository).With("@t", due);
        await delivery.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the pending deliveries of up to <c>fanOutBatch</c> events written since the last fan-out and moves its cursor
    /// past them, in the caller's write transaction; nothing where the deliveries are written with their events, or
    /// nothing is new. True when it stopped at the bound, with more events waiting.
    /// </summary>
    private async ValueTask<bool> FanOutAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (!database.WritesOneAtATime)
        {
            return false;
        }

        var events = new List<(long Id, string Repository, string Endpoints, long CreatedAt)>();
        await using (var select = connection.Command("""
            SELECT id, repository, endpoints, created_at FROM events
            WHERE id > (SELECT last_event_id FROM event_fanout) AND endpoints IS NOT NULL ORDER BY id LIMIT @n
            """, transaction).With("@n", (long)fanOutBatch))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        if (events.Count == 0)
        {
            return false;
        }

        foreach (var (id, repository, endpoints, createdAt) in events)
        {
            foreach (var endpoint in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                await InsertDeliveryAsync(connection, transaction, id, endpoint, repository, createdAt, cancellationToken);
            }
        }

        await using var move = connection.Command("UPDATE event_fanout SET last_event_id = @i", transaction).With("@i", events[^1].Id);
        await move.ExecuteNonQueryAsync(cancellationToken);
        return events.Count == fanOutBatch;
    }

    /// <summary>Fans out everything written so far, in writes of their own: before listing or counting, so that they show what a claim would see.</summary>
    private async ValueTask FanOutAsync(CancellationToken cancellationToken)
    {
        while (database.WritesOneAtATime
            && await database.RunWriteAsync((connection, transaction) => FanOutAsync(connection, transaction, cancellationToken), cancellationToken, durable: false))
        {
        }
    }

    public async ValueTask AppendAsync(RegistryEvent registryEvent, CancellationToken cancellationToken)
    {
        if (routes.EndpointsFor(registryEvent).Count == 0)
        {
            return;
        }

        await SignalAfter(_ => database.RunWriteAsync(async (connection, transaction) =>
        {
            await WriteAsync(connection, transaction, registryEvent, cancellationToken);
            return true;
        }, cancellationToken, durable: false), null);
    }

    public async ValueTask<IReadOnlyList<PendingDelivery>> ClaimLinesAsync(
        IReadOnlyDictionary<string, int> batchSizes, string owner, int lines, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (batchSizes.Count == 0)
        {
            return [];
        }

        var more = false;
        var claimed = await database.RunWriteAsync<IReadOnlyList<(long EventId, string Endpoint, int Attempts)>>(async (connection, transaction) =>
        {
            more = await FanOutAsync(connection, transaction, cancellationToken);
            var nowMs = now.ToUnixTimeMilliseconds();
            var heads = new List<(long EventId, string Endpoint, string Repository, int Attempts)>();
            // The head of a line: no pending delivery of the same endpoint and repository comes before it.
            await using (var select = connection.Command($"""
                SELECT d.event_id, d.endpoint, d.repository, d.attempts FROM event_deliveries d
                WHERE d.state = 'pending' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now)
                  AND {database.InList("d.endpoint", "@endpoints")}
                  AND NOT EXISTS (SELECT 1 FROM event_deliveries p WHERE p.state = 'pending' AND p.endpoint = d.endpoint
                                  AND p.repository = d.repository AND p.event_id < d.event_id)
                ORDER BY d.event_id LIMIT @limit{database.SkipLocked}
                """, transaction).With("@now", nowMs).With("@endpoints", database.ListValue(batchSizes.Keys)).With("@limit", (long)lines))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    heads.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
                }
            }

            var claimed = new List<(long EventId, string Endpoint, int Attempts)>(heads.Count);
            var until = (now + lease).ToUnixTimeMilliseconds();
            foreach (var (eventId, endpoint, repository, attempts) in heads)
            {
                var line = new List<(long EventId, int Attempts)> { (eventId, attempts) };
                var more = batchSizes.GetValueOrDefault(endpoint, 1) - 1;
                if (more > 0)
                {
                    // The line's head is this transaction's (locked on PostgreSQL, leased after): no other dispatcher can be
                    // taking the deliveries behind it, which it could claim only after the head.
                    await using var follow = connection.Command("""
                        SELECT event_id, attempts, next_attempt_at, lease_until FROM event_deliveries
                        WHERE state = 'pending' AND endpoint = @n AND repository = @r AND event_id > @h
                        ORDER BY event_id LIMIT @k
                        """, transaction).WithText("@n", endpoint).WithText("@r", repository).With("@h", eventId).With("@k", (long)more);
                    await using var reader = await follow.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        if (reader.GetInt64(2) > nowMs || (!reader.IsDBNull(3) && reader.GetInt64(3) > nowMs))
                        {
                            break; // an unbroken run only: the rest waits for its turn
                        }

                        line.Add((reader.GetInt64(0), reader.GetInt32(1)));
                    }
                }

                await TakeAsync(connection, transaction, endpoint, line, owner, until, cancellationToken);
                claimed.AddRange(line.Select(d => (d.EventId, endpoint, d.Attempts)));
            }

            return claimed;
        }, cancellationToken, durable: false);

        if (more)
        {
            signal?.Pulse(); // a backlog past one fan-out: the dispatcher claims again without waiting for its poll
        }

        return claimed.Count == 0 ? [] : await WithEventsAsync(claimed, cancellationToken);
    }

    /// <summary>
    /// The claimed deliveries with their events, read after the claim has committed: an event's row never changes, and
    /// it stays while a delivery of it is pending. Reading and parsing the payloads inside the claim held the one
    /// writer on SQLite for every event of the batch.
    /// </summary>
    private async ValueTask<IReadOnlyList<PendingDelivery>> WithEventsAsync(IReadOnlyList<(long EventId, string Endpoint, int Attempts)> claimed, CancellationToken cancellationToken)
    {
        var events = new Dictionary<long, RegistryEvent>(claimed.Count);
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        await using (var payloads = connection.Command($"SELECT id, payload FROM events WHERE {database.InList("id", "@i")}")
            .With("@i", database.ListValue(claimed.Select(d => d.EventId).Distinct())))
        {
            await using var reader = await database.ExecuteReaderAsync(payloads, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events[reader.GetInt64(0)] = Parse(reader.GetString(1));
            }
        }

        return claimed.Select(d => new PendingDelivery(d.EventId, d.Endpoint, d.Attempts, events[d.EventId])).ToList();
    }

    /// <remarks>
    /// Outcomes alike (a batch delivered in one request: the usual case) are recorded by one statement: on SQLite every
    /// statement runs on the one writer that pushes share, and a batch of ten took ten.
    /// </remarks>
    public ValueTask<int> RecordAllAsync(IReadOnlyList<(PendingDelivery Delivery, DeliveryOutcome Outcome)> outcomes, string owner, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var recorded = 0;
            foreach (var alike in outcomes.GroupBy(o => (o.Delivery.Endpoint, o.Outcome)))
            {
                var (endpoint, outcome) = alike.Key;
                await using var command = connection.Command($"""
                    UPDATE event_deliveries SET state = @s, attempts = attempts + @a, next_attempt_at = @next, last_status = @status,
                        last_error = @error, lease_owner = NULL, lease_until = NULL
                    WHERE endpoint = @n AND {database.InList("event_id", "@i")} AND lease_owner = @o AND state = 'pending'
                    """, transaction)
                    .WithText("@s", outcome.State).With("@a", outcome.Attempted ? 1L : 0L).With("@next", outcome.NextAttemptAt.ToUnixTimeMilliseconds())
                    .With("@status", outcome.Status).WithText("@error", outcome.Error).WithText("@n", endpoint)
                    .With("@i", database.ListValue(alike.Select(o => o.Delivery.EventId))).WithText("@o", owner);
                recorded += await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return recorded;
        }, cancellationToken, durable: false);

    /// <summary>Leases a run of one line's deliveries.</summary>
    private async ValueTask TakeAsync(
        DbConnection connection, DbTransaction transaction, string endpoint, List<(long EventId, int Attempts)> line, string owner, long until,
        CancellationToken cancellationToken)
    {
        await using var take = connection.Command(
            $"UPDATE event_deliveries SET lease_owner = @o, lease_until = @u WHERE endpoint = @n AND {database.InList("event_id", "@i")}", transaction)
            .WithText("@o", owner).With("@u", until).WithText("@n", endpoint).With("@i", database.ListValue(line.Select(d => d.EventId)));
        await take.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<Page<EventDelivery>> ListAsync(EventQuery query, CancellationToken cancellationToken)
    {
        await FanOutAsync(cancellationToken);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("");
        var sql = new StringBuilder("SELECT ").Append(DeliveryColumns).Append(" FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE 1 = 1");
        command.AndEquals(sql, "d.state", "@state", query.State);
        command.AndEquals(sql, "d.endpoint", "@endpoint", query.Endpoint);
        command.AndEquals(sql, "d.repository", "@repository", query.Repository);
        if (query.Before is { } before)
        {
            sql.Append(" AND d.event_id < @before");
            command.With("@before", before);
        }

        sql.Append(" ORDER BY d.event_id DESC, d.endpoint LIMIT @limit");
        command.With("@limit", (long)query.Limit + 1);
        command.CommandText = sql.ToString();
        return await database.ReadPageAsync(command, query.Limit, ReadDelivery, cancellationToken);
    }

    public ValueTask<int> ReplayAsync(long? eventId, string? endpoint, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("", transaction).With("@t", now.ToUnixTimeMilliseconds());
            var sql = new StringBuilder("""
                UPDATE event_deliveries SET state = 'pending', attempts = 0, next_attempt_at = @t, lease_owner = NULL, lease_until = NULL
                WHERE state = 'dead'
                """);
            if (eventId is { } id)
            {
                sql.Append(" AND event_id = @i");
                command.With("@i", id);
            }

            if (endpoint is not null)
            {
                sql.Append(" AND endpoint = @n");
                command.WithText("@n", endpoint);
            }

            command.CommandText = sql.ToString();
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            // An event goes once none of its deliveries is pending or dead: delivered everywhere, or its endpoints removed.
            // Ids follow time, so the old events are those before the first new one, found by walking the ids from the
            // oldest (what is left there is what pruning keeps) without an index on the time.
            // Where deliveries are made after the commit, an event not fanned out yet has none and stays.
            var deferred = database.WritesOneAtATime ? " AND id <= (SELECT last_event_id FROM event_fanout)" : "";
            await using var command = connection.Command($"""
                DELETE FROM events
                WHERE id < COALESCE((SELECT n.id FROM events n WHERE n.created_at >= @t ORDER BY n.id LIMIT 1), 9223372036854775807)
                  AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = events.id AND d.state <> 'done'){deferred}
                """, transaction).With("@t", before.ToUnixTimeMilliseconds());
            var pruned = await command.ExecuteNonQueryAsync(cancellationToken);
            if (database.WritesOneAtATime && pruned > 0)
            {
                // SQLite gives a new row the largest id + 1: with the newest events gone, it would hand out again ids the
                // cursor has passed. Every event left up to the largest id has its deliveries, so the cursor may go back.
                await using var back = connection.Command("""
                    UPDATE event_fanout SET last_event_id = (SELECT COALESCE(MAX(id), 0) FROM events)
                    WHERE last_event_id > (SELECT COALESCE(MAX(id), 0) FROM events)
                    """, transaction);
                await back.ExecuteNonQueryAsync(cancellationToken);
            }

            return pruned;
        }, cancellationToken, durable: false, background: true);

    public async ValueTask<(long Pending, long Dead)> CountAsync(CancellationToken cancellationToken)
    {
        await FanOutAsync(cancellationToken);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending'), (SELECT COUNT(*) FROM event_deliveries WHERE state = 'dead')
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static RegistryEvent Parse(string json) => JsonSerializer.Deserialize(json, EventPayloadJson.Default.RegistryEvent)!;

    private static EventDelivery ReadDelivery(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetTime(4),
        reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), Parse(reader.GetString(7)));
}

/// <summary>An event ready to be written: the endpoints that want it and its payload as stored.</summary>
public sealed record PreparedEvent(RegistryEvent Event, IReadOnlyList<string> Endpoints, string Payload);
