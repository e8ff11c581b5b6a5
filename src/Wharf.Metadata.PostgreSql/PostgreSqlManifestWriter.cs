using Npgsql;
using NpgsqlTypes;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.PostgreSql;

public sealed class PostgreSqlManifestWriter(PostgreSqlDatabase database, TimeProvider time) : IManifestWriter
{
    public ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Check every reference before writing anything, so a refused manifest leaves no trace. FOR SHARE
            // locks the rows found, so a concurrent unlink or delete on another instance waits for this commit.
            var existingId = await connection.RepositoryIdAsync(repository, transaction, null, cancellationToken);
            if (await FirstMissingAsync(connection, transaction, "repository_blobs", existingId, manifest.Blobs, cancellationToken) is { } blob)
            {
                return new ManifestPutResult(ManifestPutStatus.BlobUnknown, blob);
            }

            if (await FirstMissingAsync(connection, transaction, "manifests", existingId, manifest.Manifests, cancellationToken) is { } child)
            {
                return new ManifestPutResult(ManifestPutStatus.ManifestUnknown, child);
            }

            var repositoryId = existingId ?? (await connection.RepositoryIdAsync(repository, transaction, now, cancellationToken))!.Value;

            await using (var insert = connection.Command("""
                INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest, annotations, payload, created_at)
                VALUES (@r, @d, @m, @a, @s, @n, @p, @t) ON CONFLICT DO NOTHING
                """, transaction)
                .With("r", repositoryId).With("d", manifest.Digest.Value).With("m", manifest.MediaType)
                .With("a", manifest.ArtifactType).With("s", manifest.Subject?.Value).With("n", manifest.AnnotationsJson)
                .With("p", manifest.Payload).With("t", now))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken) > 0)
                {
                    await InsertReferencesAsync(connection, transaction, repositoryId, manifest, cancellationToken);
                }
            }

            if (tag is not null)
            {
                await using var upsert = connection.Command("""
                    INSERT INTO tags (repository_id, name, digest, updated_at) VALUES (@r, @n, @d, @t)
                    ON CONFLICT (repository_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                    """, transaction).With("r", repositoryId).With("n", tag).With("d", manifest.Digest.Value).With("t", now);
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

            await using var command = connection.Command("""
                WITH t AS (DELETE FROM tags WHERE repository_id = @r AND digest = @d),
                     mr AS (DELETE FROM manifest_references WHERE repository_id = @r AND parent_digest = @d)
                DELETE FROM manifests WHERE repository_id = @r AND digest = @d
                """, transaction).With("r", repositoryId).With("d", digest.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "DELETE FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t")
            .With("n", repository).With("t", tag);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => SqlTagDelete.DeleteTagIfAsync(connection, transaction, repository, tag, expected, cancellationToken), cancellationToken);

    /// <summary>The first of <paramref name="digests"/> absent from <paramref name="table"/> in the repository, locking the present rows.</summary>
    private static async ValueTask<Digest?> FirstMissingAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, long? repositoryId, IReadOnlyList<Digest> digests, CancellationToken cancellationToken)
    {
        if (digests.Count == 0)
        {
            return null;
        }

        if (repositoryId is null)
        {
            return digests[0];
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = connection.Command(
            $"SELECT digest FROM {table} WHERE repository_id = @r AND digest = ANY(@ds) FOR SHARE", transaction))
        {
            command.With("r", repositoryId.Value);
            command.Parameters.Add(new NpgsqlParameter("ds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = digests.Select(d => d.Value).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach (var digest in digests)
        {
            if (!present.Contains(digest.Value))
            {
                return digest;
            }
        }

        return null;
    }

    private static async ValueTask InsertReferencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken)
    {
        if (manifest.Blobs.Count + manifest.Manifests.Count == 0)
        {
            return;
        }

        var children = manifest.Blobs.Concat(manifest.Manifests).Select(d => d.Value).ToArray();
        var kinds = manifest.Blobs.Select(_ => (short)0).Concat(manifest.Manifests.Select(_ => (short)1)).ToArray();
        await using var command = connection.Command("""
            INSERT INTO manifest_references (repository_id, parent_digest, child_digest, kind)
            SELECT @r, @p, c, k FROM unnest(@c, @k) AS x(c, k) ON CONFLICT DO NOTHING
            """, transaction).With("r", repositoryId).With("p", manifest.Digest.Value);
        command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = children });
        command.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = kinds });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
