using System.Data.Common;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// Immutable tags: a push that must not move its tag, and a manifest delete that must not remove a protected tag.
/// Both take the repository's tag lock first (PostgreSQL: an advisory lock held to the end of the transaction; SQLite: a
/// no-op, the one writer already serialises), then read the tags with a statement that starts after the lock is held:
/// under READ COMMITTED it sees everything the previous holder committed.
/// </summary>
public abstract partial class SqlManifestWriter : IProtectedTagWriter
{
    public ValueTask<ManifestPutResult> PutKeepingTagAsync(string repository, ManifestRecord manifest, string tag, CancellationToken cancellationToken) =>
        PutAsync(repository, manifest, tag, keepTag: true, cancellationToken);

    public ValueTask<ProtectedManifestDelete> DeleteUnlessProtectedAsync(string repository, Digest digest, Func<string, bool> isProtected, CancellationToken cancellationToken) =>
        Writing(origin => database.RunWriteAsync(async (connection, transaction) =>
        {
            await database.LockAsync(connection, transaction, TagLock(repository), cancellationToken);
            var repositoryId = await database.RepositoryIdAsync(connection, repository, transaction, null, cancellationToken);
            if (repositoryId is null)
            {
                return new ProtectedManifestDelete(false);
            }

            await using (var tags = connection.Command("SELECT name FROM tags WHERE repository_id = @r AND digest = @d ORDER BY name", transaction)
                .With("@r", repositoryId.Value).With("@d", digest.Value))
            {
                var names = await database.ReadAllAsync(tags, r => r.GetString(0), cancellationToken);
                if (names.FirstOrDefault(isProtected) is { } kept)
                {
                    return new ProtectedManifestDelete(false, kept);
                }
            }

            return new ProtectedManifestDelete(await DeleteQueueingDependentsAsync(connection, transaction, origin, repository, repositoryId.Value, digest, cancellationToken));
        }, cancellationToken));

    /// <summary>Takes the repository's tag lock, then whether <paramref name="tag"/> points to another manifest than <paramref name="digest"/>.</summary>
    private async ValueTask<bool> TagTakenAsync(DbConnection connection, DbTransaction transaction, string repository, string tag, Digest digest, CancellationToken cancellationToken)
    {
        await database.LockAsync(connection, transaction, TagLock(repository), cancellationToken);
        await using var command = connection.Command(
            "SELECT digest FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = @n) AND name = @t", transaction)
            .With("@n", repository).With("@t", tag);
        return await command.ExecuteScalarAsync(cancellationToken) is string current && current != digest.Value;
    }

    private static string TagLock(string repository) => "tags:" + repository;
}
