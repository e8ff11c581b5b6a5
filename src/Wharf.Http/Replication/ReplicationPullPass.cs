using Wharf.Auth;
using Wharf.Client;
using Wharf.Core.Policies;
using Wharf.Core.Replication;
using Wharf.Core.Services;

namespace Wharf.Http.Replication;

/// <summary>
/// One listing pass of a pull rule (docs/design/replication.md): the source's repositories the rule names (its
/// <c>_catalog</c>, filtered, when a pattern has a wildcard; the names as written otherwise, which is what registries
/// without a catalog, such as Docker Hub and GHCR, need), their tags matching the rule, each resolved with a <c>HEAD</c>;
/// a job for every tag whose digest differs from this registry's, unless one is pending already. The jobs do the copying.
/// </summary>
public sealed class ReplicationPullPass(IReplicationJobs jobs, ManifestService manifests, TimeProvider time)
{
    /// <summary>How many jobs the pass wrote. Throws what the source answered when it cannot be listed.</summary>
    public async Task<int> RunAsync(ReplicationRuleOptions rule, RegistryClient source, CancellationToken cancellationToken)
    {
        var tags = rule.Tags.Select(t => TagPattern.TryCreate(t, out var p) ? p : throw new ArgumentException($"invalid tag pattern '{t}'")).ToArray();
        var written = 0;
        foreach (var repository in await RepositoriesAsync(rule, source, cancellationToken))
        {
            await foreach (var tag in source.ListTagsAsync(repository, cancellationToken: cancellationToken))
            {
                if (tags.Length > 0 && !tags.Any(t => t.Matches(tag)))
                {
                    continue;
                }

                var there = await source.HeadManifestAsync(repository, tag, cancellationToken: cancellationToken);
                if (there is null)
                {
                    continue; // deleted since it was listed
                }

                var here = await manifests.GetAsync(repository, tag, cancellationToken);
                if (here.IsOk && here.Value.Digest == there.Digest)
                {
                    continue;
                }

                if (await jobs.AddUnlessPendingAsync(rule.Name, repository, tag, there.Digest.Value, time.GetUtcNow(), cancellationToken))
                {
                    written++;
                }
            }
        }

        return written;
    }

    /// <summary>Whether a repository pattern names one repository (no wildcard), so no catalog is needed for it.</summary>
    public static bool IsLiteral(string pattern) => !pattern.Contains('*', StringComparison.Ordinal);

    private static async Task<IReadOnlyList<string>> RepositoriesAsync(ReplicationRuleOptions rule, RegistryClient source, CancellationToken cancellationToken)
    {
        var named = rule.Repositories.Where(IsLiteral).ToList();
        var patterns = rule.Repositories.Where(p => !IsLiteral(p))
            .Select(p => RepositoryPattern.TryCreate(p, out var pattern) ? pattern : throw new ArgumentException($"invalid repository pattern '{p}'")).ToArray();
        if (patterns.Length > 0)
        {
            await foreach (var repository in source.ListRepositoriesAsync(cancellationToken: cancellationToken))
            {
                if (patterns.Any(p => p.Matches(repository)) && !named.Contains(repository))
                {
                    named.Add(repository);
                }
            }
        }

        return named;
    }
}
