using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>A repository as listed and searched: what users see in a result row.</summary>
/// <param name="Description">Plain text, at most <see cref="RepositoryInfoLimits.DescriptionLength"/> characters; empty when unset.</param>
/// <param name="PullCount">Manifest GETs counted so far (flushed in batches, so up to a flush interval behind).</param>
/// <param name="LastPushedAt">The last manifest push, or null when none was recorded.</param>
/// <param name="LastPulledAt">The last manifest GET, or null when none was recorded.</param>
/// <param name="TagCount">How many tags the repository has now.</param>
public sealed record RepositorySummary(
    string Name,
    string Description,
    long PullCount,
    DateTimeOffset? LastPushedAt,
    DateTimeOffset? LastPulledAt,
    int TagCount);

/// <summary>A repository with its README (markdown, empty when unset).</summary>
public sealed record RepositoryDetails(RepositorySummary Summary, string Readme);

/// <summary>Limits on what users may store about a repository.</summary>
public static class RepositoryInfoLimits
{
    /// <summary>Characters (Unicode scalar values) in a description.</summary>
    public const int DescriptionLength = 300;

    /// <summary>UTF-8 bytes in a README.</summary>
    public const int ReadmeBytes = 64 * 1024;
}

/// <summary>How repositories are ordered in a listing.</summary>
public enum RepositorySort
{
    /// <summary>Best match first: exact name, then name prefix (of the name or of a path segment), then name substring, then description; within each, most pulled first, then by name. Needs a query text.</summary>
    Relevance,

    /// <summary>By name, A to Z.</summary>
    Name,

    /// <summary>Most recently pushed first; never pushed last.</summary>
    Pushed,

    /// <summary>Most pulled first.</summary>
    Pulls,
}

/// <summary>
/// Which repositories to list and in what order. With <paramref name="Text"/> only repositories whose name or
/// description contains it (case-insensitively) are listed; a text of one or two characters matches names only
/// (in descriptions it would match nearly everything, and no trigram index can answer it). <paramref name="Reverse"/> turns the whole order
/// around (ties included), except for <see cref="RepositorySort.Relevance"/>, which it leaves alone.
/// </summary>
public sealed record RepositoryQuery(string? Text, RepositorySort Sort, bool Reverse = false)
{
    /// <summary>The search text, trimmed and lower-cased; null when there is none.</summary>
    public string? Normalized => string.IsNullOrWhiteSpace(Text) ? null : Text.Trim().ToLowerInvariant();

    /// <summary>Whether descriptions are searched too: only for a text of at least three characters (one trigram).</summary>
    public bool SearchesDescriptions => Normalized is { } text && text.EnumerateRunes().Skip(2).Any();
}

/// <summary>Pulls of one manifest: how many GETs were counted and when the last one was.</summary>
public sealed record PullStats(long Count, DateTimeOffset? LastPulledAt);

/// <summary>Pulls of one manifest counted in memory since the last flush.</summary>
public sealed record ManifestPullDelta(string Repository, Digest Digest, long Count, DateTimeOffset LastPulledAt);

/// <summary>The last push into a repository seen since the last flush.</summary>
public sealed record RepositoryPushDelta(string Repository, DateTimeOffset PushedAt);

/// <summary>Everything counted since the last flush; written in one transaction.</summary>
public sealed record UsageBatch(IReadOnlyList<ManifestPullDelta> Pulls, IReadOnlyList<RepositoryPushDelta> Pushes)
{
    public bool IsEmpty => Pulls.Count == 0 && Pushes.Count == 0;
}
