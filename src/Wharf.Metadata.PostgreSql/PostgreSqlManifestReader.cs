using Npgsql;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.PostgreSql;

public sealed class PostgreSqlManifestReader(PostgreSqlDatabase database) : IManifestReader
{
    private const string ManifestColumns = "m.digest, m.media_type, m.payload, m.artifact_type, m.subject_digest, m.annotations";

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {ManifestColumns} FROM repositories r JOIN manifests m ON m.repository_id = r.id
            WHERE r.name = @n AND m.digest = @d
            """).With("@n", repository).With("@d", digest.Value);
        return await ReadManifestAsync(command, cancellationToken);
    }

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT {ManifestColumns} FROM repositories r
            JOIN tags t ON t.repository_id = r.id
            JOIN manifests m ON m.repository_id = r.id AND m.digest = t.digest
            WHERE r.name = @n AND t.name = @t
            """).With("@n", repository).With("@t", tag);
        return await ReadManifestAsync(command, cancellationToken);
    }

    public async ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var repositoryId = await connection.RepositoryIdAsync(repository, null, null, cancellationToken);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT m.digest, m.media_type, octet_length(m.payload)::bigint, m.artifact_type, m.annotations
            FROM repositories r JOIN manifests m ON m.repository_id = r.id
            WHERE r.name = @n AND m.subject_digest = @s AND (@t::text IS NULL OR m.artifact_type = @t::text)
            ORDER BY m.digest
            """).With("@n", repository).With("@s", subject.Value).With("@t", artifactType);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<Referrer>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Referrer(
                Digest.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return list;
    }

    private static async ValueTask<StoredManifest?> ReadManifestAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredManifest(
            Digest.Parse(reader.GetString(0)),
            reader.GetString(1),
            (byte[])reader.GetValue(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : Digest.Parse(reader.GetString(4)),
            reader.IsDBNull(5) ? null : reader.GetString(5));
    }
}
