using Wharf.Core.Errors;
using Wharf.Core.Replication;
using Wharf.Core.Services;

namespace Wharf.Http.Replication;

/// <summary>
/// <c>wharf replication run RULE</c>: a job, due now, for every tag of this registry that push rule RULE matches, so
/// that the target catches up with what was pushed before the rule existed or while jobs went dead. The copies skip
/// whatever the target already has, so a run over an up-to-date target costs a lookup per object. For a pull rule, its next
/// listing pass is made due now instead, and running servers list the source at their next poll.
/// </summary>
public sealed class ReplicationResync(ReplicationOptions options, IReplicationJobs jobs, CatalogService catalog, ManifestService manifests, TimeProvider time)
{
    private const int PageSize = 500;

    private readonly ReplicationRouting _routing = new(options);

    /// <summary>How many jobs were written (none for a pull rule); an error when no rule has that name.</summary>
    public async ValueTask<Result<int>> RunAsync(string rule, CancellationToken cancellationToken)
    {
        var configured = options.Rules.FirstOrDefault(r => r.Name == rule);
        if (configured is null)
        {
            return new RegistryError(ErrorCode.ApiRequestInvalid, $"no push or pull rule is named '{rule}' (Replication:Rules)");
        }

        if (configured.Direction == ReplicationDirections.Pull)
        {
            await jobs.PassDueAsync(rule, time.GetUtcNow(), cancellationToken);
            return 0;
        }

        var written = 0;
        string? lastRepository = null;
        while (true)
        {
            var repositories = await catalog.ListRepositoriesAsync(PageSize, lastRepository, cancellationToken, name => _routing.MatchesRepository(rule, name));
            foreach (var repository in repositories.Items)
            {
                written += await RunRepositoryAsync(rule, repository, cancellationToken);
            }

            if (!repositories.HasMore || repositories.Items.Count == 0)
            {
                return written;
            }

            lastRepository = repositories.Items[^1];
        }
    }

    private async ValueTask<int> RunRepositoryAsync(string rule, string repository, CancellationToken cancellationToken)
    {
        var written = 0;
        string? lastTag = null;
        while (true)
        {
            var tags = await catalog.ListTagsAsync(repository, PageSize, lastTag, cancellationToken);
            if (!tags.IsOk)
            {
                return written; // deleted while listed
            }

            foreach (var tag in tags.Value.Items.Where(t => _routing.MatchesTag(rule, t)))
            {
                var manifest = await manifests.GetAsync(repository, tag, cancellationToken);
                if (manifest.IsOk)
                {
                    await jobs.AddAsync(rule, repository, tag, manifest.Value.Digest.Value, time.GetUtcNow(), cancellationToken);
                    written++;
                }
            }

            if (!tags.Value.HasMore || tags.Value.Items.Count == 0)
            {
                return written;
            }

            lastTag = tags.Value.Items[^1];
        }
    }
}
