using System.Data.Common;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// Namespace usage and quota-checked links, the same SQL on every engine. A namespace's repositories are the one named
/// like it and those whose names start with it and a slash (compared with <c>substr</c>, so <c>_</c> and <c>%</c> in
/// names need no escaping and no collation decides).
/// </summary>
public sealed class SqlNamespaceUsageStore(SqlDatabase database, TimeProvider time) : INamespaceUsageStore
{
    private const string InNamespace = "(r.name = @ns OR substr(r.name, 1, @pl) = @prefix)";

    public async ValueTask<long> UsageAsync(string namespaceName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await UsageAsync(connection, null, namespaceName, cancellationToken);
    }

    public async ValueTask<bool> ContainsAsync(string namespaceName, Digest digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ContainsAsync(connection, null, namespaceName, digest, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(string namespaceName, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Scoped(connection.Command($"SELECT r.name FROM repositories r WHERE {InNamespace} ORDER BY r.name LIMIT @limit"), namespaceName)
            .With("@limit", limit);
        return (await database.ReadPageAsync(command, limit, cancellationToken)).Items;
    }

    public ValueTask<QuotaLink> LinkWithinQuotaAsync(string repository, BlobInfo blob, string? completedUpload, long quota, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var usage = await LockedUsageAsync(connection, transaction, repository, cancellationToken);
            await using (var insertBlob = connection.Command("INSERT INTO blobs (digest, size, created_at) VALUES (@d, @s, @t) ON CONFLICT (digest) DO NOTHING", transaction)
                .With("@d", blob.Digest.Value).With("@s", blob.Size).With("@t", now))
            {
                await insertBlob.ExecuteNonQueryAsync(cancellationToken);
            }

            if (!await FitsAsync(connection, transaction, repository, blob, usage, quota, cancellationToken))
            {
                // The bytes may be published already (a push racing this one took the room after the early check):
                // recorded without a link and queued, they are reclaimed like any blob that lost its last link.
                await GcQueue.BlobAsync(connection, transaction, blob.Digest.Value, now, cancellationToken);
                return new QuotaLink(QuotaLinkOutcome.OverQuota, usage);
            }

            await InsertLinkAsync(connection, transaction, repository, blob.Digest.Value, now, cancellationToken);
            if (completedUpload is not null)
            {
                await using var done = connection.Command("DELETE FROM upload_sessions WHERE id = @i", transaction).With("@i", completedUpload);
                await done.ExecuteNonQueryAsync(cancellationToken);
            }

            return new QuotaLink(QuotaLinkOutcome.Linked, usage);
        }, cancellationToken);

    /// <remarks>The blob's row is read under a key-share lock (PostgreSQL), as <see cref="SqlBlobIndex.LinkExistingAsync"/> does (docs/design/gc.md).</remarks>
    public ValueTask<QuotaLink> MountWithinQuotaAsync(string repository, BlobInfo blob, long quota, CancellationToken cancellationToken) =>
        database.RunWriteAsync(async (connection, transaction) =>
        {
            var usage = await LockedUsageAsync(connection, transaction, repository, cancellationToken);
            await using (var exists = connection.Command("SELECT 1 FROM blobs WHERE digest = @d" + database.RowLock("KEY SHARE"), transaction).With("@d", blob.Digest.Value))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return new QuotaLink(QuotaLinkOutcome.BlobGone, usage);
                }
            }

            if (!await FitsAsync(connection, transaction, repository, blob, usage, quota, cancellationToken))
            {
                return new QuotaLink(QuotaLinkOutcome.OverQuota, usage);
            }

            await InsertLinkAsync(connection, transaction, repository, blob.Digest.Value, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            return new QuotaLink(QuotaLinkOutcome.Linked, usage);
        }, cancellationToken);

    /// <summary>Takes the namespace's quota lock, then its usage: every later statement of the transaction sees what the previous holder committed.</summary>
    private async ValueTask<long> LockedUsageAsync(DbConnection connection, DbTransaction transaction, string repository, CancellationToken cancellationToken)
    {
        var namespaceName = Core.Policies.RepositoryNamespace.Of(repository);
        await database.LockAsync(connection, transaction, "quota:" + namespaceName, cancellationToken);
        return await UsageAsync(connection, transaction, namespaceName, cancellationToken);
    }

    private static async ValueTask<bool> FitsAsync(
        DbConnection connection, DbTransaction transaction, string repository, BlobInfo blob, long usage, long quota, CancellationToken cancellationToken) =>
        usage + blob.Size <= quota || await ContainsAsync(connection, transaction, Core.Policies.RepositoryNamespace.Of(repository), blob.Digest, cancellationToken);

    /// <summary>Links the blob (creating the repository); a new link is queued for review, as <see cref="SqlBlobIndex"/> does.</summary>
    private async ValueTask InsertLinkAsync(DbConnection connection, DbTransaction transaction, string repository, string digest, long now, CancellationToken cancellationToken)
    {
        var repositoryId = (await database.RepositoryIdAsync(connection, repository, transaction, now, cancellationToken))!.Value;
        await using var link = connection.Command("INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (@r, @d, @t) ON CONFLICT DO NOTHING", transaction)
            .With("@r", repositoryId).With("@d", digest).With("@t", now);
        if (await link.ExecuteNonQueryAsync(cancellationToken) > 0)
        {
            await GcQueue.LinkAsync(connection, transaction, repositoryId, digest, now, cancellationToken);
        }
    }

    private static async ValueTask<long> UsageAsync(DbConnection connection, DbTransaction? transaction, string namespaceName, CancellationToken cancellationToken)
    {
        await using var command = Scoped(connection.Command($"""
            SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint) FROM blobs b WHERE b.digest IN (
                SELECT rb.digest FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id WHERE {InNamespace})
            """, transaction), namespaceName);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async ValueTask<bool> ContainsAsync(DbConnection connection, DbTransaction? transaction, string namespaceName, Digest digest, CancellationToken cancellationToken)
    {
        await using var command = Scoped(connection.Command($"""
            SELECT 1 FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id WHERE rb.digest = @d AND {InNamespace} LIMIT 1
            """, transaction), namespaceName).With("@d", digest.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static DbCommand Scoped(DbCommand command, string namespaceName) =>
        command.With("@ns", namespaceName).With("@pl", namespaceName.Length + 1).With("@prefix", namespaceName + "/");
}
