using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>The offline collector's reads and its "queue everything", the same SQL on every engine.</summary>
public sealed class SqlGcGraphStore(SqlDatabase database) : IGcGraphStore
{
    public async ValueTask<GcGraph> ReadGraphAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var manifests = connection.Command("""
            SELECT r.name, m.digest, m.subject_digest, EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest)
            FROM manifests m JOIN repositories r ON r.id = m.repository_id
            """);
        var manifestRows = await database.ReadAllAsync(manifests, r => new GraphManifest(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Convert.ToBoolean(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        await using var references = connection.Command(
            "SELECT r.name, x.parent_digest, x.child_digest, x.kind FROM manifest_references x JOIN repositories r ON r.id = x.repository_id");
        var referenceRows = await database.ReadAllAsync(references, r => new GraphReference(r.GetString(0), r.GetString(1), r.GetString(2), Convert.ToInt32(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) == 1), cancellationToken);
        await using var links = connection.Command("SELECT r.name, l.digest FROM repository_blobs l JOIN repositories r ON r.id = l.repository_id");
        var linkRows = await database.ReadAllAsync(links, r => new RepositoryDigest(r.GetString(0), Digest.Parse(r.GetString(1))), cancellationToken);
        await using var blobs = connection.Command("SELECT digest, size FROM blobs");
        var blobRows = await database.ReadAllAsync(blobs, r => new BlobInfo(Digest.Parse(r.GetString(0)), r.GetInt64(1)), cancellationToken);
        return new GcGraph(manifestRows, referenceRows, linkRows, blobRows);
    }

    public ValueTask QueueEverythingAsync(CancellationToken cancellationToken) =>
        new(database.RunWriteAsync(async (connection, transaction) =>
        {
            foreach (var sql in new[]
            {
                "INSERT INTO gc_link_reviews (repository_id, digest, since) SELECT repository_id, digest, 0 FROM repository_blobs WHERE true ON CONFLICT (repository_id, digest) DO UPDATE SET since = 0",
                """
                INSERT INTO gc_manifest_reviews (repository_id, digest, since) SELECT m.repository_id, m.digest, 0 FROM manifests m
                WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest) ON CONFLICT (repository_id, digest) DO UPDATE SET since = 0
                """,
                "INSERT INTO gc_blob_reviews (digest, since) SELECT b.digest, 0 FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM repository_blobs l WHERE l.digest = b.digest) ON CONFLICT (digest) DO UPDATE SET since = 0",
            })
            {
                await using var command = connection.Command(sql, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken).AsTask());
}
