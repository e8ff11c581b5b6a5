using System.Data.Common;
using Wharf.Core.Events;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// The garbage collector's queues on any engine (docs/design/gc.md). A collect call is one write transaction: it
/// claims due rows (skipping rows another instance holds, on PostgreSQL), locks each candidate's row as the
/// writers do, re-checks that nothing reaches it, and deletes it. Collect calls are background writes that need no
/// flush of their own: on SQLite they wait for every other write and never share its transaction, and a deletion
/// that a power loss takes back is only done again (the row of a blob whose bytes went is invisible: nothing links it).
/// </summary>
public sealed class SqlGcStore(SqlDatabase database, TimeProvider time, SqlEventOutbox? events = null, Core.Mirror.ICachedRepositories? cached = null) : IGcStore
{
    private static readonly EventOrigin CollectorOrigin = new("gc", null, null, null, null, null, null);

    private const string ManifestIsNeeded = """
        SELECT 1 WHERE EXISTS (SELECT 1 FROM tags WHERE repository_id = @r AND digest = @d)
           OR EXISTS (SELECT 1 FROM manifest_references WHERE repository_id = @r AND child_digest = @d AND kind = 1)
           OR EXISTS (SELECT 1 FROM manifests m JOIN manifests s ON s.repository_id = m.repository_id AND s.digest = m.subject_digest
                      WHERE m.repository_id = @r AND m.digest = @d)
           OR EXISTS (SELECT 1 FROM manifests f JOIN tags t ON t.repository_id = f.repository_id AND t.digest = f.digest
                      WHERE f.repository_id = @r AND f.subject_digest = @d)
        """;

    /// <remarks>
    /// With webhooks, each deleted manifest's <c>manifest.delete</c> event (actor <c>gc</c>) is written in the same
    /// transaction; the candidates are then taken in repository order and each repository's row is locked before its
    /// manifest's, the order every writer that reports events follows.
    /// </remarks>
    public ValueTask<GcBatch<RepositoryDigest>> CollectManifestsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) =>
        SqlEventOutbox.Reporting(events, _ => CollectManifestRowsAsync(dueBefore, limit, cancellationToken));

    private ValueTask<GcBatch<RepositoryDigest>> CollectManifestRowsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var claimed = await ClaimAsync(connection, transaction, "gc_manifest_reviews", dueBefore, limit, cancellationToken);
            var deleted = new List<RepositoryDigest>();
            var candidates = events is null ? claimed.Keys : [.. claimed.Keys.OrderBy(k => k.RepositoryId).ThenBy(k => k.Digest, StringComparer.Ordinal)];
            foreach (var (repositoryId, name, digest) in candidates)
            {
                if (events is not null)
                {
                    await events.LockRepositoryAsync(connection, transaction, repositoryId, cancellationToken);
                }

                if (await AllDueAsync(connection, transaction, "gc_manifest_reviews", repositoryId, digest, dueBefore, cancellationToken)
                    && await FindsAsync(connection, transaction, "SELECT 1 FROM manifests WHERE repository_id = @r AND digest = @d" + database.RowLock("UPDATE"), repositoryId, digest, cancellationToken)
                    && !await FindsAsync(connection, transaction, ManifestIsNeeded, repositoryId, digest, cancellationToken))
                {
                    await GcQueue.DependentsOfAsync(connection, transaction, repositoryId, digest, now, cancellationToken);
                    await ExecuteAsync(connection, transaction, "DELETE FROM manifest_references WHERE repository_id = @r AND parent_digest = @d", repositoryId, digest, cancellationToken);
                    await ExecuteAsync(connection, transaction, "DELETE FROM manifests WHERE repository_id = @r AND digest = @d", repositoryId, digest, cancellationToken);
                    deleted.Add(new RepositoryDigest(name, Digest.Parse(digest)));
                    if (events is not null)
                    {
                        await events.WriteAsync(connection, transaction, RegistryEvent.Create(time, CollectorOrigin, EventActions.ManifestDelete, name, digest: digest), cancellationToken);
                    }
                }
            }

            await DoneAsync(connection, transaction, "gc_manifest_reviews", claimed.Ids, cancellationToken);
            await AddTotalAsync(connection, transaction, "manifests_deleted", deleted.Count, cancellationToken);
            return new GcBatch<RepositoryDigest>(claimed.Ids.Count, deleted);
        }, cancellationToken, durable: false, background: true);

    public ValueTask<GcBatch<RepositoryDigest>> CollectLinksAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var claimed = await ClaimAsync(connection, transaction, "gc_link_reviews", dueBefore, limit, cancellationToken);
            var deleted = new List<RepositoryDigest>();
            var namedByCache = new Core.Mirror.CachedBlobNames(cached);
            foreach (var (repositoryId, name, digest) in claimed.Keys)
            {
                if (await AllDueAsync(connection, transaction, "gc_link_reviews", repositoryId, digest, dueBefore, cancellationToken)
                    && await FindsAsync(connection, transaction, "SELECT 1 FROM repository_blobs WHERE repository_id = @r AND digest = @d" + database.RowLock("UPDATE"), repositoryId, digest, cancellationToken)
                    && !await FindsAsync(connection, transaction, "SELECT 1 FROM manifest_references WHERE repository_id = @r AND child_digest = @d AND kind = 0", repositoryId, digest, cancellationToken)
                    && !await namedByCache.NamesAsync(name, digest, cancellationToken))
                {
                    await ExecuteAsync(connection, transaction, "DELETE FROM repository_blobs WHERE repository_id = @r AND digest = @d", repositoryId, digest, cancellationToken);
                    // Always queued: whether another instance is removing the blob's other last link cannot be seen from here.
                    await GcQueue.BlobAsync(connection, transaction, digest, now, cancellationToken);
                    deleted.Add(new RepositoryDigest(name, Digest.Parse(digest)));
                }
            }

            await DoneAsync(connection, transaction, "gc_link_reviews", claimed.Ids, cancellationToken);
            await AddTotalAsync(connection, transaction, "links_deleted", deleted.Count, cancellationToken);
            return new GcBatch<RepositoryDigest>(claimed.Ids.Count, deleted);
        }, cancellationToken, durable: false, background: true);

    public ValueTask QueueLinksAsync(string repository, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        digests.Count == 0 ? ValueTask.CompletedTask : new(database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("""
                INSERT INTO gc_link_reviews (repository_id, digest, since)
                SELECT rb.repository_id, rb.digest, @t FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id
                WHERE r.name = @n AND rb.digest = @d
                """, transaction).With("@t", time.GetUtcNow().ToUnixTimeMilliseconds()).With("@n", repository);
            var digest = command.CreateParameter();
            digest.ParameterName = "@d";
            command.Parameters.Add(digest);
            var queued = 0;
            foreach (var value in digests)
            {
                digest.Value = value;
                queued += await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return queued;
        }, cancellationToken, durable: false, background: true).AsTask());

    public ValueTask<GcBatch<DeletedBlob>> CollectBlobsAsync(
        DateTimeOffset dueBefore, int limit, TimeSpan budget, Func<Digest, CancellationToken, ValueTask> deleteBytes, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var ids = new List<(long Id, string Digest)>();
            await using (var claim = connection.Command(
                "SELECT id, digest FROM gc_blob_reviews WHERE since <= @c ORDER BY since LIMIT @n" + database.SkipLocked, transaction)
                .With("@c", dueBefore.ToUnixTimeMilliseconds()).With("@n", limit))
            {
                await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add((reader.GetInt64(0), reader.GetString(1)));
                }
            }

            var deleted = new List<DeletedBlob>();
            var reviewed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var digest in ids.Select(i => i.Digest).Distinct(StringComparer.Ordinal))
            {
                if (deleted.Count > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) >= budget)
                {
                    break;
                }

                reviewed.Add(digest);
                if (!await AllDueAsync(connection, transaction, "gc_blob_reviews", null, digest, dueBefore, cancellationToken))
                {
                    continue;
                }

                long? size;
                await using (var row = connection.Command("SELECT size FROM blobs WHERE digest = @d" + database.RowLock("UPDATE"), transaction).With("@d", digest))
                {
                    size = await row.ExecuteScalarAsync(cancellationToken) is long s ? s : null;
                }

                await using var linked = connection.Command("SELECT 1 FROM repository_blobs WHERE digest = @d LIMIT 1", transaction).With("@d", digest);
                if (size is { } bytes && await linked.ExecuteScalarAsync(cancellationToken) is null)
                {
                    // The bytes go while this transaction holds the row: no hold, link or mount can slip in between.
                    await deleteBytes(Digest.Parse(digest), cancellationToken);
                    await using var delete = connection.Command("DELETE FROM blobs WHERE digest = @d", transaction).With("@d", digest);
                    await delete.ExecuteNonQueryAsync(cancellationToken);
                    deleted.Add(new DeletedBlob(Digest.Parse(digest), bytes));
                }
            }

            var done = ids.Where(i => reviewed.Contains(i.Digest)).Select(i => i.Id).ToList();
            await DoneAsync(connection, transaction, "gc_blob_reviews", done, cancellationToken);
            await AddTotalAsync(connection, transaction, "blobs_deleted", deleted.Count, cancellationToken);
            await AddTotalAsync(connection, transaction, "bytes_reclaimed", deleted.Sum(b => b.Size), cancellationToken);
            // A batch cut short by the budget counts as full, so the caller goes on with the next one.
            return new GcBatch<DeletedBlob>(done.Count < ids.Count ? limit : ids.Count, deleted);
        }, cancellationToken, durable: false, background: true);

    /// <remarks>
    /// A read first: a digest that is no candidate (nearly always) costs no write. One that is not queued when read
    /// cannot be deleted within a grace period, which is longer than the commit that asked.
    /// </remarks>
    public async ValueTask HoldBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        {
            await using var queued = connection.Command("SELECT 1 FROM gc_blob_reviews WHERE digest = @d").With("@d", digest.Value);
            if (await queued.ExecuteScalarAsync(cancellationToken) is null)
            {
                return;
            }
        }

        await database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var hold = connection.Command("UPDATE gc_blob_reviews SET since = @t WHERE digest = @d", transaction)
                .With("@t", time.GetUtcNow().ToUnixTimeMilliseconds()).With("@d", digest.Value);
            return await hold.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);
    }

    public async ValueTask<IReadOnlySet<string>> FindRecordedAsync(IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (digests.Count == 0)
        {
            return found;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT digest FROM blobs WHERE {database.InList("digest", "@d")}").With("@d", database.ListValue(digests));
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    public ValueTask RecordCycleAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        new(database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "INSERT INTO gc_totals (name, value) VALUES ('last_cycle_at', @t) ON CONFLICT (name) DO UPDATE SET value = excluded.value", transaction)
                .With("@t", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false).AsTask());

    public async ValueTask<GcStoreStatus> GetStatusAsync(DateTimeOffset linksAndBlobsDueBefore, DateTimeOffset manifestsDueBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT count(*) FROM (SELECT DISTINCT repository_id, digest FROM gc_manifest_reviews) q),
                   (SELECT count(*) FROM (SELECT DISTINCT repository_id, digest FROM gc_link_reviews) q),
                   (SELECT count(DISTINCT digest) FROM gc_blob_reviews),
                   (SELECT count(*) FROM (SELECT repository_id, digest FROM gc_manifest_reviews GROUP BY repository_id, digest HAVING max(since) <= @m) q),
                   (SELECT count(*) FROM (SELECT repository_id, digest FROM gc_link_reviews GROUP BY repository_id, digest HAVING max(since) <= @c) q),
                   (SELECT count(*) FROM (SELECT digest FROM gc_blob_reviews GROUP BY digest HAVING max(since) <= @c) q)
            """).With("@m", manifestsDueBefore.ToUnixTimeMilliseconds()).With("@c", linksAndBlobsDueBefore.ToUnixTimeMilliseconds());
        GcQueueCounts queued, due;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            queued = new GcQueueCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            due = new GcQueueCounts(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
        }

        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var read = connection.Command("SELECT name, value FROM gc_totals"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                totals[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        long Total(string name) => totals.GetValueOrDefault(name);
        return new GcStoreStatus(queued, due, new GcTotals(
            Total("blobs_deleted"), Total("bytes_reclaimed"), Total("links_deleted"), Total("manifests_deleted"),
            totals.TryGetValue("last_cycle_at", out var last) ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null));
    }

    /// <summary>Claims due rows of a per-repository queue: their ids, and their distinct keys with the repository's name.</summary>
    private async ValueTask<(List<long> Ids, List<(long RepositoryId, string Name, string Digest)> Keys)> ClaimAsync(
        DbConnection connection, DbTransaction transaction, string queue, DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        var keys = new List<(long, string)>();
        await using (var claim = connection.Command(
            $"SELECT id, repository_id, digest FROM {queue} WHERE since <= @c ORDER BY since LIMIT @n" + database.SkipLocked, transaction)
            .With("@c", dueBefore.ToUnixTimeMilliseconds()).With("@n", limit))
        {
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
                keys.Add((reader.GetInt64(1), reader.GetString(2)));
            }
        }

        var named = new List<(long, string, string)>();
        foreach (var (repositoryId, digest) in keys.Distinct())
        {
            await using var name = connection.Command("SELECT name FROM repositories WHERE id = @r", transaction).With("@r", repositoryId);
            named.Add((repositoryId, await name.ExecuteScalarAsync(cancellationToken) as string ?? "", digest));
        }

        return (ids, named);
    }

    /// <summary>
    /// Whether every queue row of the key is due: a key queued again since (a tag moved away again, a commit held the
    /// blob) waits for its newest row.
    /// </summary>
    private static async ValueTask<bool> AllDueAsync(
        DbConnection connection, DbTransaction transaction, string queue, long? repositoryId, string digest, DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT 1 FROM {queue} WHERE {(repositoryId is null ? "" : "repository_id = @r AND ")}digest = @d AND since > @c LIMIT 1", transaction)
            .With("@d", digest).With("@c", dueBefore.ToUnixTimeMilliseconds());
        if (repositoryId is { } id)
        {
            command.With("@r", id);
        }

        return await command.ExecuteScalarAsync(cancellationToken) is null;
    }

    /// <summary>Removes the claimed rows: reviewed, whatever the outcome.</summary>
    private static async ValueTask DoneAsync(DbConnection connection, DbTransaction transaction, string queue, List<long> ids, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"DELETE FROM {queue} WHERE id = @i", transaction);
        var id = command.CreateParameter();
        id.ParameterName = "@i";
        command.Parameters.Add(id);
        foreach (var claimed in ids)
        {
            id.Value = claimed;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Whether the query (parameters <c>@r</c>, <c>@d</c>) finds a row.</summary>
    private static async ValueTask<bool> FindsAsync(DbConnection connection, DbTransaction transaction, string sql, long repositoryId, string digest, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql, transaction).With("@r", repositoryId).With("@d", digest);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async ValueTask ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, long repositoryId, string digest, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql, transaction).With("@r", repositoryId).With("@d", digest);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async ValueTask AddTotalAsync(DbConnection connection, DbTransaction transaction, string name, long amount, CancellationToken cancellationToken)
    {
        if (amount == 0)
        {
            return;
        }

        await using var command = connection.Command(
            "INSERT INTO gc_totals (name, value) VALUES (@n, @v) ON CONFLICT (name) DO UPDATE SET value = gc_totals.value + excluded.value", transaction)
            .With("@n", name).With("@v", amount);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
