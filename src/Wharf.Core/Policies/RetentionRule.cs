using System.Text.RegularExpressions;

namespace Wharf.Core.Policies;

/// <summary>
/// One retention rule (config <c>Retention:Rules</c>), for repositories matching <paramref name="Repositories"/>.
/// It selects tags for deletion: those pushed longer than <paramref name="DeleteOlderThan"/> ago or, without that
/// clause, every tag when <paramref name="KeepLast"/> is set. It protects: the <paramref name="KeepLast"/> most recently
/// pushed tags, tags matching <paramref name="KeepTags"/>, and tags whose manifest was pulled within
/// <paramref name="KeepPulledWithin"/>. <paramref name="Name"/> is how reports name it.
/// </summary>
public sealed record RetentionRule(
    string Name,
    Func<string, bool> Repositories,
    int? KeepLast,
    Regex? KeepTags,
    TimeSpan? DeleteOlderThan,
    TimeSpan? KeepPulledWithin)
{
    /// <summary>Whether the rule would delete the tag, before any protection.</summary>
    public bool Selects(DateTimeOffset pushedAt, DateTimeOffset now) =>
        DeleteOlderThan is { } age ? pushedAt < now - age : KeepLast is not null;

    /// <summary>
    /// The keep clause protecting the tag (<c>KeepLast</c>, <c>KeepTags</c>, <c>KeepPulledWithin</c>), or null;
    /// <paramref name="recency"/> is the tag's place among the repository's tags, most recently pushed first (0 based).
    /// </summary>
    public string? Protection(string tag, int recency, DateTimeOffset? lastPulledAt, DateTimeOffset now) =>
        KeepLast is { } last && recency < last ? nameof(KeepLast)
        : KeepTags is { } keep && keep.IsMatch(tag) ? nameof(KeepTags)
        : KeepPulledWithin is { } window && lastPulledAt is { } pulled && pulled >= now - window ? nameof(KeepPulledWithin)
        : null;
}
