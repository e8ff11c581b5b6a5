using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services;

/// <summary>Search settings (config section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    /// <summary>
    /// With auth on, a listing or search filters the best-ranked candidates by what the caller may pull, at most
    /// this many; repositories ranked beyond them are not listed and the total becomes a lower bound
    /// (docs/design/search.md). The default covers a registry of 100,000 repositories whole.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxCandidates { get; set; } = 100_000;
}

/// <summary>Usage-counting settings (config section <c>Usage</c>).</summary>
public sealed class UsageOptions
{
    /// <summary>How often counted pulls and pushes are written to the metadata store; a crash loses at most this much.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
