using System.Data.Common;
using Wharf.Core.Events;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// Manifest and tag writes. The order of a push (check every reference, then write the manifest, its
/// references and its tag in one transaction) and the tag statements are shared; how references are checked
/// and recorded, and how a manifest is deleted, each engine writes for itself (one statement per digest on
/// SQLite, arrays and row locks on PostgreSQL). With webhooks configured, each change writes its event in its own
/// transaction (<paramref name="events"/>), after locking the repository's row before the change. With replication push
/// rules, a tagged push writes a job for each matching rule in its transaction (<paramref name="replication"/>; null, and
/// no work at all, without push rules).
/// </summary>
public abstract partial class SqlManifestWriter(SqlDatabase database, TimeProvider time, SqlEventOutbox? events, SqlReplicationJobs? replication = null) : IManifestWriter
{
    public ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken) =>
        PutAsync(repository, manifest, tag, keepTag: false, cancellationToken);

    /// <param name="keepTag">Refuse (<see cref="ManifestPutStatus.TagTaken"/>, nothing written) when the tag points to another manifest.</param>
    private ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, bool keepTag, CancellationToken cancellationToken) =>
        Writing(origin => PutAsync(repository, manifest, tag, keepTag, events?.Prepare(
            RegistryEvent.Create(time, origin, EventActions.ManifestPush, repository, manifest.MediaType, manifest.Digest.Value, manifest.Payload.Length, tag)), cancellationToken));

    /// <param name="pushed">The push's event, prepared before the transaction (null without webhooks or an endpoint that wants it).</param>
    private ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, bool keepTag, PreparedEvent? pushed, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            if (keepTag && await TagTakenAsync(connection, transaction, repository, tag!, manifest.Digest, cancellationToken))
            {
                return new ManifestPutResult(ManifestPutStatus.TagTaken);
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Check every reference before writing anything, so a refused manifest leaves no trace.
            var existingId = await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken);
            if (await FirstMissingAsync(connection, transaction, "repository_blobs", existingId, manifest.Blobs, cancellationToken) is { } blob)
            {
                return new ManifestPutResult(ManifestPutStatus.BlobUnknown, blob);
            }

            if (await FirstMissingAsync(connection, transaction, "manifests", existingId, manifest.Manifests, cancellationToken) is { } child)
            {
                return new ManifestPutResult(ManifestPutStatus.ManifestUnknown, child);
            }

            var repositoryId = existingId ?? (await database.RepositoryIdAsync(connection, repository, transaction, now, cancellationToken))!.Value;
            await LockForEventAsync(connection, transaction, repositoryId, cancellationToken);

            await StoreManifestAsync(connection, transaction, repositoryId, manifest, now, queueUntagged: tag is null, cancellationToken);
            if (tag is not null)
            {
                await TagAsync(connection, transaction, repositoryId, tag, manifest.Digest.Value, now, cancellationToken);
                if (replication is not null)
                {
                    await replication.WriteAsync(connection, transaction, repository, tag, manifest.Digest.Value, now, cancellationToken);
                }
            }

            if (pushed is not null)
            {
                await events!.WriteAsync(connection, transaction, pushed, cancellationToken);
            }

            return new ManifestPutResult(ManifestPutStatus.Stored);
        }, cancellationToken);

    public ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        Writing(origin => database.RunWriteAsync(async (connection, transaction) =>
        {
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken);
            if (repositoryId is null)
            {
                return false;
            }

            return await DeleteQueueingDependentsAsync(connection, transaction, origin, repository, repositoryId.Value, digest, cancellationToken);
        }, cancellationToken));

    /// <summary>Deletes the manifest, and queues for the garbage collector what may have needed only it.</summary>
    private async ValueTask<bool> DeleteQueueingDependentsAsync(DbConnection connection, DbTransaction transaction, EventOrigin? origin, string repository, long repositoryId, Digest digest, CancellationToken cancellationToken)
    {
        await LockForEventAsync(connection, transaction, repositoryId, cancellationToken);
        await GcQueue.DependentsOfAsync(connection, transaction, repositoryId, digest.Value, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (!await DeleteManifestAsync(connection, transaction, repositoryId, digest, cancellationToken))
        {
            return false;
        }

        await WriteEventAsync(connection, transaction, origin, EventActions.ManifestDelete, repository, digest.Value, null, null, null, cancellationToken);
        return true;
    }

    /// <summary>
    /// Runs the write. With webhooks, the write gets the origin of its events, read here (the request's flow) since the
    /// engine may run the write on its own, and the dispatcher is woken once the write has committed.
    /// </summary>
    private ValueTask<T> Writing<T>(Func<EventOrigin?, ValueTask<T>> write) => SqlEventOutbox.Reporting(events, write);

    /// <summary>Locks the repository's row for the event the change will write (nothing without webhooks).</summary>
    private ValueTask LockForEventAsync(DbConnection connection, DbTransaction transaction, long repositoryId, CancellationToken cancellationToken) =>
        events is null ? ValueTask.CompletedTask : events.LockRepositoryAsync(connection, transaction, repositoryId, cancellationToken);

    /// <summary>Writes the change's event in its transaction (nothing without webhooks).</summary>
    private ValueTask WriteEventAsync(
        DbConnection connection, DbTransaction transaction, EventOrigin? origin, string action, string repository, string digest, string? tag, string? mediaType, long? size, CancellationToken cancellationToken) =>
        events is null ? ValueTask.CompletedTask
        : events.WriteAsync(connection, transaction, RegistryEvent.Create(time, origin, action, repository, mediaType, digest, size, tag), cancellationToken);

    public ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken) =>
        Writing(origin => database.RunWriteAsync(async (connection, transaction) =>
        {
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken);
            if (repositoryId is null)
            {
                return false;
            }

            await LockForEventAsync(connection, transaction, repositoryId.Value, cancellationToken);
            await using var command = connection.Command("DELETE FROM tags WHERE repository_id = @r AND name = @t RETURNING digest", transaction)
                .With("@r", repositoryId.Value).With("@t", tag);
            if (await command.ExecuteScalarAsync(cancellationToken) is not string digest)
            {
                return false;
            }

            await GcQueue.ManifestAsync(connection, transaction, repositoryId.Value, digest, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            await WriteEventAsync(connection, transaction, origin, EventActions.TagDelete, repository, digest, tag, null, null, cancellationToken);
            return true;
        }, cancellationToken));

    /// <remarks>
    /// The digest is part of the DELETE's condition, so deleting and checking are one statement. SQLite has one
    /// writer at a time, so no push moves the tag between the two statements; on PostgreSQL a concurrent push that
    /// moves the tag holds the row's lock until it commits, and the DELETE re-checks its condition on the row's
    /// new version. The second statement only tells the caller why nothing was deleted (on PostgreSQL with a fresh
    /// snapshot: the latest committed state).
    /// </remarks>
    public ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken) =>
        Writing(origin => database.RunWriteAsync(async (connection, transaction) =>
        {
            if (events is not null && await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken) is { } lockedId)
            {
                await events.LockRepositoryAsync(connection, transaction, lockedId, cancellationToken);
            }

            await using (var delete = connection.Command(
                "DELETE FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t AND digest = @d", transaction)
                .With("@n", repository).With("@t", tag).With("@d", expected.Value))
            {
                if (await delete.ExecuteNonQueryAsync(cancellationToken) > 0)
                {
                    var repositoryId = (await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken))!.Value;
                    await GcQueue.ManifestAsync(connection, transaction, repositoryId, expected.Value, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
                    await WriteEventAsync(connection, transaction, origin, EventActions.TagDelete, repository, expected.Value, tag, null, null, cancellationToken);
                    return ConditionalTagDelete.Deleted;
                }
            }

            await using var exists = connection.Command(
                "SELECT 1 FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t", transaction)
                .With("@n", repository).With("@t", tag);
            return await exists.ExecuteScalarAsync(cancellationToken) is null ? ConditionalTagDelete.TagUnknown : ConditionalTagDelete.TagMoved;
        }, cancellationToken));

    /// <summary>
    /// Points the tag at the manifest and queues the manifest it pointed to before, if another. The tag's row is locked
    /// first, as a tag delete does before it queues, so a push and a delete of one tag take their locks in one order.
    /// </summary>
    private async ValueTask TagAsync(DbConnection connection, DbTransaction transaction, long repositoryId, string tag, string digest, long now, CancellationToken cancellationToken)
    {
        string? before;
        await using (var current = connection.Command("SELECT digest FROM tags WHERE repository_id = @r AND name = @n" + database.RowLock("UPDATE"), transaction)
            .With("@r", repositoryId).With("@n", tag))
        {
            before = await current.ExecuteScalarAsync(cancellationToken) as string;
        }

        await using (var upsert = connection.Command("""
            INSERT INTO tags (repository_id, name, digest, updated_at) VALUES (@r, @n, @d, @t)
            ON CONFLICT (repository_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
            """, transaction).With("@r", repositoryId).With("@n", tag).With("@d", digest).With("@t", now))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (before is not null && before != digest)
        {
            await GcQueue.ManifestAsync(connection, transaction, repositoryId, before, now, cancellationToken);
        }
    }

    /// <summary>
    /// Stores the manifest with its references unless it is there. When it is, its row is read under a share lock
    /// (PostgreSQL): a garbage collector deleting it concurrently either finishes first, and the manifest is stored
    /// again, or waits for this push and then sees its tag (docs/design/gc.md). A new manifest without a tag is queued.
    /// </summary>
    private async ValueTask StoreManifestAsync(
        DbConnection connection, DbTransaction transaction, long repositoryId, ManifestRecord manifest, long now, bool queueUntagged, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using (var insert = connection.Command("""
                INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest, annotations, payload, created_at)
                VALUES (@r, @d, @m, @a, @s, @n, @p, @t) ON CONFLICT DO NOTHING
                """, transaction)
                .With("@r", repositoryId).With("@d", manifest.Digest.Value).With("@m", manifest.MediaType)
                .With("@a", manifest.ArtifactType).With("@s", manifest.Subject?.Value).With("@n", manifest.AnnotationsJson)
                .With("@p", manifest.Payload).With("@t", now))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken) > 0)
                {
                    if (manifest.Blobs.Count + manifest.Manifests.Count > 0)
                    {
                        await InsertReferencesAsync(connection, transaction, repositoryId, manifest, cancellationToken);
                    }

                    if (queueUntagged)
                    {
                        await GcQueue.ManifestAsync(connection, transaction, repositoryId, manifest.Digest.Value, now, cancellationToken);
                    }

                    return;
                }
            }

            await using var held = connection.Command(
                "SELECT 1 FROM manifests WHERE repository_id = @r AND digest = @d" + database.RowLock("SHARE"), transaction)
                .With("@r", repositoryId).With("@d", manifest.Digest.Value);
            if (await held.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The first of <paramref name="digests"/> absent from <paramref name="table"/> (<c>repository_blobs</c> or
    /// <c>manifests</c>) in the repository, or null when all are there; with no repository yet, the first digest.
    /// </summary>
    private ValueTask<Digest?> FirstMissingAsync(
        DbConnection connection, DbTransaction transaction, string table, long? repositoryId, IReadOnlyList<Digest> digests, CancellationToken cancellationToken) =>
        digests.Count == 0 ? new((Digest?)null)
        : repositoryId is null ? new(digests[0])
        : FindMissingAsync(connection, transaction, table, repositoryId.Value, digests, cancellationToken);

    /// <summary>The first of <paramref name="digests"/> (at least one) absent from <paramref name="table"/> in an existing repository, or null.</summary>
    protected abstract ValueTask<Digest?> FindMissingAsync(
        DbConnection connection, DbTransaction transaction, string table, long repositoryId, IReadOnlyList<Digest> digests, CancellationToken cancellationToken);

    /// <summary>Deletes a manifest of the repository with its tags and reference rows; whether the manifest was there.</summary>
    protected abstract ValueTask<bool> DeleteManifestAsync(DbConnection connection, DbTransaction transaction, long repositoryId, Digest digest, CancellationToken cancellationToken);

    /// <summary>Records the blobs and child manifests a newly stored manifest references (at least one).</summary>
    protected abstract ValueTask InsertReferencesAsync(DbConnection connection, DbTransaction transaction, long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken);
}
