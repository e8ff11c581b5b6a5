using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Metadata;

/// <summary>
/// Pull counts and push times: written in batches by the usage flush (each engine its own way, see
/// <see cref="ApplyAsync"/>), read per manifest with the same SQL on every engine.
/// </summary>
public abstract class SqlUsageStore(SqlDatabase database) : IUsageWriter, IPullStatsReader
{
    public ValueTask ApplyAsync(UsageBatch batch, CancellationToken cancellationToken) =>
        batch.IsEmpty ? ValueTask.CompletedTask : ApplyNonEmptyAsync(batch, cancellationToken);

    /// <summary>Writes a batch with at least one pull or push, in one transaction.</summary>
    protected abstract ValueTask ApplyNonEmptyAsync(UsageBatch batch, CancellationToken cancellationToken);

    public async ValueTask<IReadOnlyDictionary<Digest, PullStats>> GetManifestPullsAsync(string repository, IReadOnlyCollection<Digest> digests, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Digest, PullStats>();
        if (digests.Count == 0)
        {
            return result;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT p.digest, p.pull_count, p.last_pulled_at FROM manifest_pulls p JOIN repositories r ON r.id = p.repository_id
            WHERE r.name = @n AND {database.InList("p.digest", "@d")}
            """).With("@n", repository).With("@d", database.ListValue(digests.Select(d => d.Value)));
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (Digest.TryParse(reader.GetString(0), out var digest))
            {
                result[digest] = new PullStats(reader.GetInt64(1), reader.GetTime(2));
            }
        }

        return result;
    }
}
