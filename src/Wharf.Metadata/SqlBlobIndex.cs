using Wharf.Core.Events;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// Which blobs exist and which repositories link them, the same SQL on every engine. With webhooks configured, a
/// mount writes its event in its transaction (<paramref name="events"/>).
/// </summary>
public sealed class SqlBlobIndex(SqlDatabase database, TimeProvider time, SqlEventOutbox? events = null) : IBlobIndex
{
    public async ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT b.size FROM blobs b WHERE b.digest = @d AND EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest)").With("@d", digest.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is long size ? new BlobInfo(digest, size) : null;
    }

    public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT b.size FROM repositories r
            JOIN repository_blobs rb ON rb.repository_id = r.id
            JOIN blobs b ON b.digest = rb.digest
            WHERE r.name = @n AND rb.digest = @d
            """).With("@n", repository).With("@d", digest.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is long size ? new BlobInfo(digest, size) : null;
    }

    public async ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT r.name FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id
            WHERE rb.digest = @d ORDER BY r.name LIMIT @n
            """).With("@d", digest.Value).With("@n", limit);
        return (await database.ReadPageAsync(command, limit, cancellationToken)).Items;
    }

    public ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken) =>
        new(database.RunWriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, now, cancellationToken);
            await using var insertBlob = connection.Command("INSERT INTO blobs (digest, size, created_at) VALUES (@d, @s, @t) ON CONFLICT (digest) DO NOTHING", transaction)
                .With("@d", blob.Digest.Value).With("@s", blob.Size).With("@t", now);
            await insertBlob.ExecuteNonQueryAsync(cancellationToken);
            await InsertLinkAsync(connection, transaction, repositoryId!.Value, blob.Digest.Value, now, cancellationToken);
            if (completedUpload is not null)
            {
                await using var done = connection.Command("DELETE FROM upload_sessions WHERE id = @i", transaction).With("@i", completedUpload);
                await done.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken).AsTask());

    /// <remarks>
    /// The blob's row is read under a key-share lock (PostgreSQL), which waits for a garbage collector deleting it: once
    /// it has, there is no row and nothing is linked. A collector that comes later finds the link (docs/design/gc.md).
    /// </remarks>
    public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        SqlEventOutbox.Reporting(events, origin => LinkExistingRowAsync(repository, digest, origin, cancellationToken));

    private ValueTask<bool> LinkExistingRowAsync(string repository, Digest digest, EventOrigin? origin, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            object? size;
            await using (var exists = connection.Command("SELECT size FROM blobs WHERE digest = @d" + database.RowLock("KEY SHARE"), transaction).With("@d", digest.Value))
            {
                size = await exists.ExecuteScalarAsync(cancellationToken);
                if (size is null)
                {
                    return false;
                }
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, now, cancellationToken);
            if (events is not null)
            {
                await events.LockRepositoryAsync(connection, transaction, repositoryId!.Value, cancellationToken);
            }

            await InsertLinkAsync(connection, transaction, repositoryId!.Value, digest.Value, now, cancellationToken);
            if (events is not null)
            {
                var mounted = RegistryEvent.Create(time, origin, EventActions.BlobMount, repository, "application/octet-stream", digest.Value,
                    Convert.ToInt64(size, System.Globalization.CultureInfo.InvariantCulture));
                await events.WriteAsync(connection, transaction, mounted, cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>Hides the blob from the repository and queues the blob: it may have been its last link.</summary>
    public ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "DELETE FROM repository_blobs WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND digest = @d", transaction)
                .With("@n", repository).With("@d", digest.Value);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }

            await GcQueue.BlobAsync(connection, transaction, digest.Value, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Links the blob; a new link is queued for review, since no manifest may ever reference it.</summary>
    private static async ValueTask InsertLinkAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, long repositoryId, string digest, long now, CancellationToken cancellationToken)
    {
        await using var link = connection.Command("INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (@r, @d, @t) ON CONFLICT DO NOTHING", transaction)
            .With("@r", repositoryId).With("@d", digest).With("@t", now);
        if (await link.ExecuteNonQueryAsync(cancellationToken) > 0)
        {
            await GcQueue.LinkAsync(connection, transaction, repositoryId, digest, now, cancellationToken);
        }
    }
}
