using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>Which blobs exist and which repositories link them, the same SQL on every engine.</summary>
public sealed class SqlBlobIndex(SqlDatabase database, TimeProvider time) : IBlobIndex
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
            await using var link = connection.Command("INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (@r, @d, @t) ON CONFLICT DO NOTHING", transaction)
                .With("@r", repositoryId).With("@d", blob.Digest.Value).With("@t", now);
            await link.ExecuteNonQueryAsync(cancellationToken);
            if (completedUpload is not null)
            {
                await using var done = connection.Command("DELETE FROM upload_sessions WHERE id = @i", transaction).With("@i", completedUpload);
                await done.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken).AsTask());

    public ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "DELETE FROM repository_blobs WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND digest = @d", transaction)
                .With("@n", repository).With("@d", digest.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);
}
