using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteManifestWriter(SqliteDatabase database, TimeProvider time) : IManifestWriter
{
    public ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Check every reference before writing anything, so a refused manifest leaves no trace.
            var existingId = await connection.RepositoryIdAsync(repository, transaction, null, cancellationToken);
            foreach (var blob in manifest.Blobs)
            {
                if (existingId is null || !await ExistsAsync(connection, transaction, "SELECT 1 FROM repository_blobs WHERE repository_id = $r AND digest = $d", existingId.Value, blob, cancellationToken))
                {
                    return new ManifestPutResult(ManifestPutStatus.BlobUnknown, blob);
                }
            }

            foreach (var child in manifest.Manifests)
            {
                if (existingId is null || !await ExistsAsync(connection, transaction, "SELECT 1 FROM manifests WHERE repository_id = $r AND digest = $d", existingId.Value, child, cancellationToken))
                {
                    return new ManifestPutResult(ManifestPutStatus.ManifestUnknown, child);
                }
            }

            var repositoryId = existingId ?? (await connection.RepositoryIdAsync(repository, transaction, now, cancellationToken))!.Value;

            await using (var insert = connection.Command("""
                INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest, annotations, payload, created_at)
                VALUES ($r, $d, $m, $a, $s, $n, $p, $t) ON CONFLICT DO NOTHING
                """, transaction)
                .With("$r", repositoryId).With("$d", manifest.Digest.Value).With("$m", manifest.MediaType)
                .With("$a", manifest.ArtifactType).With("$s", manifest.Subject?.Value).With("$n", manifest.AnnotationsJson)
                .With("$p", manifest.Payload).With("$t", now))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken) > 0)
                {
                    await InsertReferencesAsync(connection, transaction, repositoryId, manifest, cancellationToken);
                }
            }

            if (tag is not null)
            {
                await using var upsert = connection.Command("""
                    INSERT INTO tags (repository_id, name, digest, updated_at) VALUES ($r, $n, $d, $t)
                    ON CONFLICT (repository_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                    """, transaction).With("$r", repositoryId).With("$n", tag).With("$d", manifest.Digest.Value).With("$t", now);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            return new ManifestPutResult(ManifestPutStatus.Stored);
        }, cancellationToken);

    public ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var repositoryId = await connection.RepositoryIdAsync(repository, transaction, null, cancellationToken);
            if (repositoryId is null)
            {
                return false;
            }

            foreach (var sql in new[]
            {
                "DELETE FROM tags WHERE repository_id = $r AND digest = $d",
                "DELETE FROM manifest_references WHERE repository_id = $r AND parent_digest = $d",
            })
            {
                await using var command = connection.Command(sql, transaction).With("$r", repositoryId).With("$d", digest.Value);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var delete = connection.Command("DELETE FROM manifests WHERE repository_id = $r AND digest = $d", transaction)
                .With("$r", repositoryId).With("$d", digest.Value);
            return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "DELETE FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = $n) AND name = $t", transaction)
                .With("$n", repository).With("$t", tag);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => SqlTagDelete.DeleteTagIfAsync(connection, transaction, repository, tag, expected, cancellationToken), cancellationToken);

    private static async ValueTask<bool> ExistsAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, long repositoryId, Digest digest, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql, transaction).With("$r", repositoryId).With("$d", digest.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async ValueTask InsertReferencesAsync(SqliteConnection connection, SqliteTransaction transaction, long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT INTO manifest_references (repository_id, parent_digest, child_digest, kind) VALUES ($r, $p, $c, $k) ON CONFLICT DO NOTHING", transaction);
        var child = command.Parameters.Add("$c", SqliteType.Text);
        var kind = command.Parameters.Add("$k", SqliteType.Integer);
        command.With("$r", repositoryId).With("$p", manifest.Digest.Value);
        foreach (var (digests, k) in new[] { (manifest.Blobs, 0), (manifest.Manifests, 1) })
        {
            foreach (var d in digests)
            {
                child.Value = d.Value;
                kind.Value = k;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
