using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>Pull counts per manifest, for pages that show them (tags, image details).</summary>
public interface IPullStatsReader
{
    /// <summary>
    /// Pull statistics of those of <paramref name="digests"/> that were ever pulled from <paramref name="repository"/>;
    /// a digest missing from the answer has no recorded pull. Counts are those flushed so far (see docs/design/search.md).
    /// </summary>
    ValueTask<IReadOnlyDictionary<Digest, PullStats>> GetManifestPullsAsync(string repository, IReadOnlyCollection<Digest> digests, CancellationToken cancellationToken);
}

/// <summary>A repository's description, README and usage figures.</summary>
public interface IRepositoryInfoStore
{
    /// <summary>The repository with its README, or null when it does not exist.</summary>
    ValueTask<RepositoryDetails?> GetAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Summaries of the named repositories, in the order given; names of repositories that do not exist are left out.</summary>
    ValueTask<IReadOnlyList<RepositorySummary>> GetSummariesAsync(IReadOnlyList<string> repositories, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the description and/or README (null leaves one unchanged) in one transaction. Values are stored as
    /// given; callers check <see cref="RepositoryInfoLimits"/>. False when the repository does not exist (it is not created).
    /// </summary>
    ValueTask<bool> UpdateAsync(string repository, string? description, string? readme, CancellationToken cancellationToken);
}

/// <summary>Finds repositories through the store's own indexes.</summary>
public interface IRepositorySearch
{
    /// <summary>Names of the repositories <paramref name="query"/> selects, in its order, skipping <paramref name="offset"/>, at most <paramref name="limit"/>.</summary>
    ValueTask<IReadOnlyList<string>> ListNamesAsync(RepositoryQuery query, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>How many repositories <paramref name="query"/> selects.</summary>
    ValueTask<long> CountAsync(RepositoryQuery query, CancellationToken cancellationToken);
}

/// <summary>Writes counted pulls and pushes; see <c>Services/UsageRecorder</c>.</summary>
public interface IUsageWriter
{
    /// <summary>
    /// Adds the batch's pull counts to the repositories and manifests and moves their last pull and push times
    /// forward (never back), in one transaction. Entries for repositories that no longer exist are dropped.
    /// </summary>
    ValueTask ApplyAsync(UsageBatch batch, CancellationToken cancellationToken);
}
