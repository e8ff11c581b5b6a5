using System.Data.Common;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>Manifests by digest and tag, tag listings and referrers, the same SQL on every engine.</summary>
public sealed class SqlManifestReader(SqlDatabase database) : IManifestReader
{
    private const string ManifestColumns = "m.digest, m.media_type, m.payload, m.artifact_type, m.subject_digest, m.annotations";

    private static readonly Func<DbDataReader, StoredManifest> ReadManifest = reader => new StoredManifest(
        Digest.Parse(reader.GetString(0)),
        reader.GetString(1),
        (byte[])reader.GetValue(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : Digest.Parse(reader.GetString(4)),
        reader.IsDBNull(5) ? null : reader.GetString(5));

    // CAST(length(..) AS bigint): the byte length of a blob on both engines (PostgreSQL's length(bytea) is an integer).
    private const string Referrers = """
        SELECT m.digest, m.media_type, CAST(length(m.payload) AS bigint), m.artifact_type, m.annotations
        FROM repositories r JOIN manifests m ON m.repository_id = r.id
        WHERE r.name = @n AND m.subject_digest = @s AND (@t IS NULL OR m.artifact_type = @t)
        ORDER BY m.digest
        """;

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {ManifestColumns} FROM repositories r JOIN manifests m ON m.repository_id = r.id
            WHERE r.name = @n AND m.digest = @d
            """).With("@n", repository).With("@d", digest.Value);
        return await database.ReadFirstAsync(command, ReadManifest, cancellationToken);
    }

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {ManifestColumns} FROM repositories r
            JOIN tags t ON t.repository_id = r.id
            JOIN manifests m ON m.repository_id = r.id AND m.digest = t.digest
            WHERE r.name = @n AND t.name = @t
            """).With("@n", repository).With("@t", tag);
        return await database.ReadFirstAsync(command, ReadManifest, cancellationToken);
    }

    public async ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var repositoryId = await database.RepositoryIdAsync(connection, repository, null, null, cancellationToken);
        if (repositoryId is null)
        {
            return null;
        }

        await using var command = connection.Command("SELECT name FROM tags WHERE repository_id = @r AND name > @l ORDER BY name LIMIT @n")
            .With("@r", repositoryId).With("@l", last ?? "").With("@n", limit + 1);
        return await database.ReadPageAsync(command, limit, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A text-typed parameter: PostgreSQL cannot infer the type of a bare "@t IS NULL" otherwise.
        await using var command = connection.Command(Referrers).With("@n", repository).With("@s", subject.Value).WithText("@t", artifactType);
        return await database.ReadAllAsync(command, reader => new Referrer(
            Digest.Parse(reader.GetString(0)),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4)), cancellationToken);
    }
}
