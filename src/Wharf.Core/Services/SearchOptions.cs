using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services;

/// <summary>Search settings (config section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    /// <summary>
    /// With auth on, a search filters the best-ranked candidates by what the caller may pull, at most this many;
    /// results and totals beyond them are not seen (docs/design/search.md).
    /// </summary>
    [Range(100, 1_000_000)]
    public int MaxCandidates { get; set; } = 10_000;
}

/// <summary>Usage-counting settings (config section <c>Usage</c>).</summary>
public sealed class UsageOptions
{
    /// <summary>How often counted pulls and pushes are written to the metadata store; a crash loses at most this much.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
