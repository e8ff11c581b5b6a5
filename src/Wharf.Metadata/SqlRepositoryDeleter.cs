using Wharf.Core.Events;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// Deletes a repository's rows in one transaction, the same SQL on every engine; its blobs go to the collector's queue.
/// Its rows in the review queues are left for the collector, which finds nothing behind them (deleting them here could
/// wait for a collector that has claimed them while it waits for a row this delete holds).
/// </summary>
public sealed class SqlRepositoryDeleter(SqlDatabase database, TimeProvider time, SqlEventOutbox? events = null) : IRepositoryDeleter
{
    private static readonly string[] Deletes =
    [
        "DELETE FROM tags WHERE repository_id = @r",
        "DELETE FROM manifest_references WHERE repository_id = @r",
        "DELETE FROM manifest_pulls WHERE repository_id = @r",
        "DELETE FROM manifests WHERE repository_id = @r",
        "DELETE FROM repository_blobs WHERE repository_id = @r",
        "DELETE FROM repository_stats WHERE repository_id = @r",
        "DELETE FROM repositories WHERE id = @r",
    ];

    /// <remarks>
    /// The repository's row is locked first (PostgreSQL): pushes already inside the repository finish before, and
    /// later ones see it gone (a push that links a blob afterwards creates the repository anew).
    /// </remarks>
    public ValueTask<bool> DeleteAsync(string repository, CancellationToken cancellationToken) =>
        SqlEventOutbox.Reporting(events, origin => DeleteRowsAsync(repository, origin, cancellationToken));

    private ValueTask<bool> DeleteRowsAsync(string repository, EventOrigin? origin, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            long repositoryId;
            await using (var select = connection.Command("SELECT id FROM repositories WHERE name = @n" + database.RowLock("UPDATE"), transaction).With("@n", repository))
            {
                if (await select.ExecuteScalarAsync(cancellationToken) is not long id)
                {
                    return false;
                }

                repositoryId = id;
            }

            await using (var queue = connection.Command("""
                INSERT INTO gc_blob_reviews (digest, since) SELECT digest, @t FROM repository_blobs WHERE repository_id = @r
                """, transaction).With("@r", repositoryId).With("@t", time.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                await queue.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var sql in Deletes)
            {
                await using var delete = connection.Command(sql, transaction).With("@r", repositoryId);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            if (events is not null)
            {
                await events.WriteAsync(connection, transaction, RegistryEvent.Create(time, origin, EventActions.RepositoryDelete, repository), cancellationToken);
            }

            return true;
        }, cancellationToken);
}
