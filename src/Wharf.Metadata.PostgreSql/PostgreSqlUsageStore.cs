using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <summary>Pull counts and push times: written in batches by each instance's usage flush, read per manifest.</summary>
public sealed class PostgreSqlUsageStore(PostgreSqlDatabase database) : SqlUsageStore(database)
{
    /// <remarks>
    /// Several instances flush at once. Each batch first locks the stats rows it touches in id order, and
    /// writes manifest rows in (repository, digest) order, so two flushes never wait on each other in a cycle.
    /// Pushes and pulls never lock these rows; the manifest rows' key-share locks on repositories do not
    /// conflict with anything a flush takes.
    /// </remarks>
    protected override async ValueTask ApplyNonEmptyAsync(UsageBatch batch, CancellationToken cancellationToken)
    {
        var repositories = batch.Pulls.Select(p => p.Repository).Concat(batch.Pushes.Select(p => p.Repository))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var perRepository = batch.Pulls.GroupBy(p => p.Repository, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Count: g.Sum(p => p.Count), Last: g.Max(p => p.LastPulledAt).ToUnixTimeMilliseconds())).ToArray();
        await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using (var lockRows = connection.Command(
                """
                SELECT st.repository_id FROM repository_stats st JOIN repositories r ON r.id = st.repository_id
                WHERE r.name = ANY(@names) ORDER BY st.repository_id FOR NO KEY UPDATE OF st
                """, transaction).With("names", repositories))
            {
                await lockRows.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var manifests = connection.Command("""
                INSERT INTO manifest_pulls (repository_id, digest, pull_count, last_pulled_at)
                SELECT r.id, d.digest, d.count, d.last FROM unnest(@names, @digests, @counts, @lasts) AS d (name, digest, count, last)
                JOIN repositories r ON r.name = d.name
                WHERE EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id AND m.digest = d.digest)
                ORDER BY r.id, d.digest
                ON CONFLICT (repository_id, digest) DO UPDATE SET
                    pull_count = manifest_pulls.pull_count + excluded.pull_count,
                    last_pulled_at = greatest(manifest_pulls.last_pulled_at, excluded.last_pulled_at)
                """, transaction)
                .With("names", batch.Pulls.Select(p => p.Repository).ToArray())
                .With("digests", batch.Pulls.Select(p => p.Digest.Value).ToArray())
                .With("counts", batch.Pulls.Select(p => p.Count).ToArray())
                .With("lasts", batch.Pulls.Select(p => p.LastPulledAt.ToUnixTimeMilliseconds()).ToArray()))
            {
                await manifests.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var pulls = connection.Command("""
                UPDATE repository_stats st SET pull_count = st.pull_count + d.count, last_pulled_at = greatest(st.last_pulled_at, d.last)
                FROM unnest(@names, @counts, @lasts) AS d (name, count, last) JOIN repositories r ON r.name = d.name
                WHERE st.repository_id = r.id
                """, transaction)
                .With("names", perRepository.Select(p => p.Name).ToArray())
                .With("counts", perRepository.Select(p => p.Count).ToArray())
                .With("lasts", perRepository.Select(p => p.Last).ToArray()))
            {
                await pulls.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var pushes = connection.Command("""
                UPDATE repository_stats st SET last_pushed_at = greatest(st.last_pushed_at, d.at)
                FROM unnest(@names, @ats) AS d (name, at) JOIN repositories r ON r.name = d.name
                WHERE st.repository_id = r.id
                """, transaction)
                .With("names", batch.Pushes.Select(p => p.Repository).ToArray())
                .With("ats", batch.Pushes.Select(p => p.PushedAt.ToUnixTimeMilliseconds()).ToArray()))
            {
                await pushes.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }
}
