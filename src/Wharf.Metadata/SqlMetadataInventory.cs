using System.Runtime.CompilerServices;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>Whole-store walks for <c>wharf check</c> and <c>wharf backup</c>, the same SQL on every engine.</summary>
public sealed class SqlMetadataInventory(SqlDatabase database) : IMetadataInventory
{
    /// <summary>Each query names the repository, the source, the missing target and the kind of problem.</summary>
    private static readonly (string Sql, ReferenceProblemKind Kind)[] BrokenReferenceQueries =
    [
        ("""
         SELECT r.name, mr.parent_digest, mr.child_digest FROM manifest_references mr
         JOIN repositories r ON r.id = mr.repository_id
         WHERE mr.kind = 0 AND NOT EXISTS (
             SELECT 1 FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest
             WHERE rb.repository_id = mr.repository_id AND rb.digest = mr.child_digest)
         ORDER BY r.name, mr.parent_digest, mr.child_digest
         """, ReferenceProblemKind.BlobNotLinked),
        ("""
         SELECT r.name, mr.parent_digest, mr.child_digest FROM manifest_references mr
         JOIN repositories r ON r.id = mr.repository_id
         WHERE mr.kind = 1 AND NOT EXISTS (
             SELECT 1 FROM manifests m WHERE m.repository_id = mr.repository_id AND m.digest = mr.child_digest)
         ORDER BY r.name, mr.parent_digest, mr.child_digest
         """, ReferenceProblemKind.ChildManifestMissing),
        ("""
         SELECT r.name, 'tag:' || t.name, t.digest FROM tags t
         JOIN repositories r ON r.id = t.repository_id
         WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = t.repository_id AND m.digest = t.digest)
         ORDER BY r.name, t.name
         """, ReferenceProblemKind.TagTargetMissing),
        ("""
         SELECT r.name, 'link', rb.digest FROM repository_blobs rb
         JOIN repositories r ON r.id = rb.repository_id
         WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = rb.digest)
         ORDER BY r.name, rb.digest
         """, ReferenceProblemKind.LinkWithoutBlob),
    ];

    public async ValueTask<MetadataCounts> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT count(*) FROM repositories), (SELECT count(*) FROM blobs), (SELECT count(*) FROM repository_blobs),
                   (SELECT count(*) FROM manifests), (SELECT count(*) FROM manifest_references), (SELECT count(*) FROM tags)
            """);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new MetadataCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public async ValueTask<IReadOnlyList<BlobInfo>> ListBlobsAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT digest, size FROM blobs WHERE digest > @a ORDER BY digest LIMIT @n")
            .With("@a", after ?? "").With("@n", limit);
        return await database.ReadAllAsync(command, r => new BlobInfo(Digest.Parse(r.GetString(0)), r.GetInt64(1)), cancellationToken);
    }

    public async ValueTask<BlobInfo?> FindBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT size FROM blobs WHERE digest = @d").With("@d", digest.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is long size ? new BlobInfo(digest, size) : null;
    }

    public async IAsyncEnumerable<ReferenceProblem> FindBrokenReferencesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var (sql, kind) in BrokenReferenceQueries)
        {
            await using var command = connection.Command(sql);
            var rows = await database.ReadAllAsync(command, r => new ReferenceProblem(r.GetString(0), r.GetString(1), r.GetString(2), kind), cancellationToken);
            foreach (var row in rows)
            {
                yield return row;
            }
        }
    }
}
