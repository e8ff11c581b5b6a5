using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteTagDetailsReader(SqliteDatabase database) : ITagDetailsReader
{
    public async ValueTask<TagDetailsPage?> ListAsync(string repository, TagOrder order, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var repositoryId = await connection.RepositoryIdAsync(repository, null, null, cancellationToken);
        if (repositoryId is null)
        {
            return null;
        }

        await using var count = connection.Command("SELECT count(*) FROM tags WHERE repository_id = $r").With("$r", repositoryId);
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

        await using var command = connection.Command($"""
            SELECT t.name, t.digest, m.media_type, m.payload, t.updated_at
            FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
            WHERE t.repository_id = $r
            ORDER BY {OrderBy(order)}
            LIMIT $n OFFSET $o
            """).With("$r", repositoryId).With("$n", limit).With("$o", offset);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tags = new List<TagDetails>(Math.Min(limit, 256));
        while (await reader.ReadAsync(cancellationToken))
        {
            tags.Add(new TagDetails(
                reader.GetString(0),
                Digest.Parse(reader.GetString(1)),
                reader.GetString(2),
                (byte[])reader.GetValue(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return new TagDetailsPage(total, tags);
    }

    private static string OrderBy(TagOrder order) => order switch
    {
        TagOrder.NameDescending => "t.name DESC",
        TagOrder.PushedNewestFirst => "t.updated_at DESC, t.name",
        TagOrder.PushedOldestFirst => "t.updated_at, t.name",
        _ => "t.name",
    };
}
