using System.Data.Common;
using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.Sqlite;

/// <summary>SQLite's reference checks and deletes: one indexed statement per digest (no arrays), all inside the one writer's transaction.</summary>
public sealed class SqliteManifestWriter(SqliteDatabase database, TimeProvider time, SqlEventOutbox? events = null, SqlReplicationJobs? replication = null)
    : SqlManifestWriter(database, time, events, replication)
{
    protected override async ValueTask<bool> DeleteManifestAsync(DbConnection connection, DbTransaction transaction, long repositoryId, Digest digest, CancellationToken cancellationToken)
    {
        foreach (var sql in new[]
        {
            "DELETE FROM tags WHERE repository_id = @r AND digest = @d",
            "DELETE FROM manifest_references WHERE repository_id = @r AND parent_digest = @d",
        })
        {
            await using var command = connection.Command(sql, transaction).With("@r", repositoryId).With("@d", digest.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var delete = connection.Command("DELETE FROM manifests WHERE repository_id = @r AND digest = @d", transaction)
            .With("@r", repositoryId).With("@d", digest.Value);
        return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    protected override async ValueTask<Digest?> FindMissingAsync(
        DbConnection connection, DbTransaction transaction, string table, long repositoryId, IReadOnlyList<Digest> digests, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT 1 FROM {table} WHERE repository_id = @r AND digest = @d", transaction).With("@r", repositoryId);
        var digest = command.CreateParameter();
        digest.ParameterName = "@d";
        command.Parameters.Add(digest);
        foreach (var candidate in digests)
        {
            digest.Value = candidate.Value;
            if (await command.ExecuteScalarAsync(cancellationToken) is null)
            {
                return candidate;
            }
        }

        return null;
    }

    protected override async ValueTask InsertReferencesAsync(DbConnection connection, DbTransaction transaction, long repositoryId, ManifestRecord manifest, CancellationToken cancellationToken)
    {
        await using var command = (SqliteCommand)connection.Command(
            "INSERT INTO manifest_references (repository_id, parent_digest, child_digest, kind) VALUES (@r, @p, @c, @k) ON CONFLICT DO NOTHING", transaction);
        var child = command.Parameters.Add("@c", SqliteType.Text);
        var kind = command.Parameters.Add("@k", SqliteType.Integer);
        command.With("@r", repositoryId).With("@p", manifest.Digest.Value);
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
