using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

/// <summary>Pull counts and push times: written in batches by the usage flush, read per manifest.</summary>
public sealed class SqliteUsageStore(SqliteDatabase database) : SqlUsageStore(database)
{
    /// <remarks>
    /// Not durable (no fsync of its own): figures survive a crash of the process, and a power loss may take
    /// the last batches with it, which the design accepts (docs/design/search.md).
    /// </remarks>
    protected override async ValueTask ApplyNonEmptyAsync(UsageBatch batch, CancellationToken cancellationToken)
    {
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var manifest = connection.Command("""
                INSERT INTO manifest_pulls (repository_id, digest, pull_count, last_pulled_at)
                SELECT r.id, @d, @c, @t FROM repositories r
                WHERE r.name = @n AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id AND m.digest = @d)
                ON CONFLICT (repository_id, digest) DO UPDATE SET
                    pull_count = pull_count + excluded.pull_count, last_pulled_at = max(last_pulled_at, excluded.last_pulled_at)
                """, transaction))
            {
                foreach (var pull in batch.Pulls)
                {
                    manifest.Parameters.Clear();
                    manifest.With("@n", pull.Repository).With("@d", pull.Digest.Value).With("@c", pull.Count).With("@t", pull.LastPulledAt.ToUnixTimeMilliseconds());
                    await manifest.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using (var repository = connection.Command("""
                UPDATE repository_stats SET pull_count = pull_count + @c, last_pulled_at = max(coalesce(last_pulled_at, 0), @t)
                WHERE repository_id = (SELECT id FROM repositories WHERE name = @n)
                """, transaction))
            {
                foreach (var pulls in batch.Pulls.GroupBy(p => p.Repository, StringComparer.Ordinal))
                {
                    repository.Parameters.Clear();
                    repository.With("@n", pulls.Key).With("@c", pulls.Sum(p => p.Count)).With("@t", pulls.Max(p => p.LastPulledAt).ToUnixTimeMilliseconds());
                    await repository.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using (var pushed = connection.Command(
                "UPDATE repository_stats SET last_pushed_at = max(coalesce(last_pushed_at, 0), @t) WHERE repository_id = (SELECT id FROM repositories WHERE name = @n)", transaction))
            {
                foreach (var push in batch.Pushes)
                {
                    pushed.Parameters.Clear();
                    pushed.With("@n", push.Repository).With("@t", push.PushedAt.ToUnixTimeMilliseconds());
                    await pushed.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            return true;
        }, cancellationToken, durable: false);
    }
}
