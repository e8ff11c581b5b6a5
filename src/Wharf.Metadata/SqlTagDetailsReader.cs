using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>A repository's tags with their manifests, a page at a time, the same SQL on every engine.</summary>
public sealed class SqlTagDetailsReader(SqlDatabase database) : ITagDetailsReader
{
    public async ValueTask<TagDetailsPage?> ListAsync(string repository, TagOrder order, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        object repositoryId;
        await using (var find = connection.Command("SELECT id FROM repositories WHERE name = @n").With("@n", repository))
        {
            if (await find.ExecuteScalarAsync(cancellationToken) is not { } id)
            {
                return null;
            }

            repositoryId = id;
        }

        await using var count = connection.Command("SELECT count(*) FROM tags WHERE repository_id = @r").With("@r", repositoryId);
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        await using var command = connection.Command($"""
            SELECT t.name, t.digest, m.media_type, m.payload, t.updated_at
            FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest
            WHERE t.repository_id = @r
            ORDER BY {OrderBy(order)}
            LIMIT @l OFFSET @o
            """).With("@r", repositoryId).With("@l", limit).With("@o", offset);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        var tags = new List<TagDetails>(Math.Min(limit, 256));
        while (await reader.ReadAsync(cancellationToken))
        {
            tags.Add(new TagDetails(
                reader.GetString(0),
                Digest.Parse(reader.GetString(1)),
                reader.GetString(2),
                (byte[])reader.GetValue(3),
                reader.GetTime(4)));
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
