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
            var namespaceName = Core.Policies.RepositoryNamespace.Of(repository);
            await database.LockAsync(connection, transaction, "quota:" + namespaceName, cancellationToken);
            var usage = await UsageAsync(connection, transaction, namespaceName, cancellationToken);
            if (usage + blob.Size > quota && !await ContainsAsync(connection, transaction, namespaceName, blob.Digest, cancellationToken))
            {
                return new QuotaLink(false, usage);
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, now, cancellationToken);
            await using (var insertBlob = connection.Command("INSERT INTO blobs (digest, size, created_at) VALUES (@d, @s, @t) ON CONFLICT (digest) DO NOTHING", transaction)
                .With("@d", blob.Digest.Value).With("@s", blob.Size).With("@t", now))
            {
                await insertBlob.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var link = connection.Command("INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (@r, @d, @t) ON CONFLICT DO NOTHING", transaction)
                .With("@r", repositoryId!.Value).With("@d", blob.Digest.Value).With("@t", now))
            {
                await link.ExecuteNonQueryAsync(cancellationToken);
            }

            if (completedUpload is not null)
            {
                await using var done = connection.Command("DELETE FROM upload_sessions WHERE id = @i", transaction).With("@i", completedUpload);
                await done.ExecuteNonQueryAsync(cancellationToken);
            }

            return new QuotaLink(true, usage);
        }, cancellationToken);

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
