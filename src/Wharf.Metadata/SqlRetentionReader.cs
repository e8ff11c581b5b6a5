using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>Tags with their push time and their manifest's last counted pull, for retention.</summary>
public sealed class SqlRetentionReader(SqlDatabase database) : IRetentionReader
{
    public async ValueTask<IReadOnlyList<RetentionTag>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT t.name, t.digest, t.updated_at, mp.last_pulled_at
            FROM repositories r
            JOIN tags t ON t.repository_id = r.id
            LEFT JOIN manifest_pulls mp ON mp.repository_id = t.repository_id AND mp.digest = t.digest
            WHERE r.name = @n
            ORDER BY t.updated_at DESC, t.name
            """).With("@n", repository);
        return await database.ReadAllAsync(command, r => new RetentionTag(
            r.GetString(0),
            Digest.Parse(r.GetString(1)),
            r.GetTime(2),
            r.GetTimeOrNull(3)), cancellationToken);
    }
}
