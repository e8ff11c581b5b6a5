using System.Data.Common;

namespace Wharf.Metadata;

/// <summary>
/// The statements that put candidates in the garbage collector's review queues (docs/design/gc.md), run by the
/// stores inside the transaction of the change that made them candidates. Queueing again moves <c>since</c> on.
/// </summary>
internal static class GcQueue
{
    private const string UpsertLink = " ON CONFLICT (repository_id, digest) DO UPDATE SET since = excluded.since";
    private const string UpsertManifest = " ON CONFLICT (repository_id, digest) DO UPDATE SET since = excluded.since";

    public static async ValueTask LinkAsync(DbConnection connection, DbTransaction transaction, long repositoryId, string digest, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("INSERT INTO gc_link_reviews (repository_id, digest, since) VALUES (@r, @d, @t)" + UpsertLink, transaction)
            .With("@r", repositoryId).With("@d", digest).With("@t", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async ValueTask ManifestAsync(DbConnection connection, DbTransaction transaction, long repositoryId, string digest, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("INSERT INTO gc_manifest_reviews (repository_id, digest, since) VALUES (@r, @d, @t)" + UpsertManifest, transaction)
            .With("@r", repositoryId).With("@d", digest).With("@t", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async ValueTask BlobAsync(DbConnection connection, DbTransaction transaction, string digest, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT INTO gc_blob_reviews (digest, since) VALUES (@d, @t) ON CONFLICT (digest) DO UPDATE SET since = excluded.since", transaction)
            .With("@d", digest).With("@t", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Before the manifest <paramref name="digest"/> is deleted: queues what may have needed only it, its blobs' links,
    /// its child manifests and its referrers; and removes its pull figures.
    /// </summary>
    public static async ValueTask DependentsOfAsync(DbConnection connection, DbTransaction transaction, long repositoryId, string digest, long now, CancellationToken cancellationToken)
    {
        foreach (var sql in new[]
        {
            "INSERT INTO gc_link_reviews (repository_id, digest, since) SELECT repository_id, child_digest, @t FROM manifest_references WHERE repository_id = @r AND parent_digest = @d AND kind = 0" + UpsertLink,
            "INSERT INTO gc_manifest_reviews (repository_id, digest, since) SELECT repository_id, child_digest, @t FROM manifest_references WHERE repository_id = @r AND parent_digest = @d AND kind = 1" + UpsertManifest,
            "INSERT INTO gc_manifest_reviews (repository_id, digest, since) SELECT repository_id, digest, @t FROM manifests WHERE repository_id = @r AND subject_digest = @d" + UpsertManifest,
            "DELETE FROM manifest_pulls WHERE repository_id = @r AND digest = @d",
        })
        {
            await using var command = connection.Command(sql, transaction).With("@r", repositoryId).With("@d", digest).With("@t", now);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
