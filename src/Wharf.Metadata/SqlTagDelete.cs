using System.Data.Common;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>Deleting a tag only while it still points at the expected manifest, inside the caller's write transaction.</summary>
public static class SqlTagDelete
{
    /// <remarks>
    /// The digest is part of the DELETE's condition, so the delete and its check are one statement. SQLite has one
    /// writer at a time, so no push moves the tag between the two statements here; on PostgreSQL a concurrent push
    /// that moves the tag holds the row's lock until it commits, and the DELETE re-checks its condition on the
    /// row's new version. The second statement only tells the caller why nothing was deleted.
    /// </remarks>
    public static async ValueTask<ConditionalTagDelete> DeleteTagIfAsync(
        DbConnection connection, DbTransaction transaction, string repository, string tag, Digest expected, CancellationToken cancellationToken)
    {
        await using (var delete = connection.Command(
            "DELETE FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t AND digest = @d", transaction)
            .With("@n", repository).With("@t", tag).With("@d", expected.Value))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                return ConditionalTagDelete.Deleted;
            }
        }

        await using var exists = connection.Command(
            "SELECT 1 FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t", transaction)
            .With("@n", repository).With("@t", tag);
        return await exists.ExecuteScalarAsync(cancellationToken) is null ? ConditionalTagDelete.TagUnknown : ConditionalTagDelete.TagMoved;
    }
}
