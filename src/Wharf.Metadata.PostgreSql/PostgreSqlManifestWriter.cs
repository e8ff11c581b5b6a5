using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// PostgreSQL's reference checks and deletes: one statement over an array each. FOR SHARE locks the referenced rows
/// found, so a concurrent unlink or delete on another instance waits for the push to commit.
/// </summary>
public sealed class PostgreSqlManifestWriter(PostgreSqlDatabase database, TimeProvider time, SqlEventOutbox? events = null, SqlReplicationJobs? replication = null)
    : SqlManifestWriter(database, time, events, replication)
{
    /// <summary>One statement: the tags, the reference rows and the manifest.</summary>
    protected override async ValueTask<bool> DeleteManifestAsync(DbConnection connection, DbTransaction transaction, long repositoryId, Digest digest, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            WITH t AS (DELETE FROM tags WHERE repository_id = @r AND digest = @d),
                 mr AS (DELETE FROM manifest_references WHERE repository_id = @r AND parent_digest = @d)
            DELETE FROM manifests WHERE repository_id = @r AND digest = @d
            """, transaction).With("@r", repositoryId).With("@d", digest.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    protected override async ValueTask<Digest?> FindMissingAsync(
        DbConnection connection, DbTransaction transaction, string table, long repositoryId, IReadOnlyList<Digest> digests, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = connection.Command(
            $"SELECT digest FROM {table} WHERE repository_id = @r AND digest = ANY(@ds) FOR SHARE", transaction))
        {
            command.With("r", repositoryId);
            command.Parameters.Add(new NpgsqlParameter("ds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = digests.Select(d => d.Value).ToArray() });
            await using var reader = await ((NpgsqlCommand)command).ExecuteReaderAsync(cancellationToken);
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

    protected override async ValueTask InsertReferencesAsync(DbConnection connection, DbTransaction transaction, long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken)
    {
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
