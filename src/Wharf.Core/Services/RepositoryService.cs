using System.Text;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;

namespace Wharf.Core.Services;

/// <summary>One page of a repository listing. <paramref name="Total"/> counts every repository the listing selects for the caller.</summary>
/// <param name="TotalIsExact">False when access filtering stopped at <see cref="SearchOptions.MaxCandidates"/>: then more may exist.</param>
public sealed record RepositoryPage(IReadOnlyList<RepositorySummary> Items, long Total, bool TotalIsExact);

/// <summary>Listing, searching, reading and describing repositories (the JSON API and <c>/v1/search</c>).</summary>
public sealed class RepositoryService(IRepositorySearch search, IRepositoryInfoStore info, SearchOptions options)
{
    /// <summary>
    /// Page <paramref name="page"/> (from 1) of <paramref name="perPage"/> repositories that <paramref name="query"/> selects.
    /// With <paramref name="mayPull"/> (auth on), only the repositories it accepts: the store ranks at most
    /// <see cref="SearchOptions.MaxCandidates"/> candidates and they are filtered here, since access rules are
    /// patterns the store cannot index. Without it the store pages and counts by itself.
    /// </summary>
    public async ValueTask<RepositoryPage> ListAsync(RepositoryQuery query, int page, int perPage, Func<string, bool>? mayPull, CancellationToken cancellationToken)
    {
        var offset = (long)(page - 1) * perPage;
        if (mayPull is null)
        {
            var names = offset > int.MaxValue ? [] : await search.ListNamesAsync(query, (int)offset, perPage, cancellationToken);
            // A short page that has rows is the last one, so its end is the total; only a full or empty page needs a count.
            var total = names.Count > 0 && names.Count < perPage ? offset + names.Count : await search.CountAsync(query, cancellationToken);
            return new RepositoryPage(await info.GetSummariesAsync(names, cancellationToken), total, true);
        }

        // One more than the cap, to know whether the cap cut anything off.
        var candidates = await search.ListNamesAsync(query, 0, options.MaxCandidates + 1, cancellationToken);
        var exact = candidates.Count <= options.MaxCandidates;
        var visible = candidates.Take(options.MaxCandidates).Where(mayPull).ToList();
        if (offset >= visible.Count)
        {
            return new RepositoryPage([], visible.Count, exact);
        }

        var onPage = visible.GetRange((int)offset, (int)Math.Min(perPage, visible.Count - offset));
        return new RepositoryPage(await info.GetSummariesAsync(onPage, cancellationToken), visible.Count, exact);
    }

    /// <summary>The repository with its README; null when it does not exist.</summary>
    public ValueTask<RepositoryDetails?> GetAsync(string repository, CancellationToken cancellationToken) =>
        info.GetAsync(repository, cancellationToken);

    /// <summary>
    /// Sets the description and/or README (null leaves one unchanged) and returns the repository as it is now.
    /// <c>API_REQUEST_INVALID</c> when a value breaks <see cref="RepositoryInfoLimits"/>; <c>NAME_UNKNOWN</c> when the
    /// repository does not exist (describing a repository never creates it).
    /// </summary>
    public async ValueTask<Result<RepositoryDetails>> DescribeAsync(string repository, string? description, string? readme, CancellationToken cancellationToken)
    {
        if (Check(description, readme) is { } invalid)
        {
            return new RegistryError(ErrorCode.ApiRequestInvalid, invalid);
        }

        if ((description is not null || readme is not null) && !await info.UpdateAsync(repository, description, readme, cancellationToken))
        {
            return ErrorCode.NameUnknown;
        }

        var details = await info.GetAsync(repository, cancellationToken);
        return details is null ? ErrorCode.NameUnknown : details;
    }

    /// <summary>Why a description or README is refused, or null when both are acceptable.</summary>
    public static string? Check(string? description, string? readme)
    {
        if (description is not null)
        {
            if (!IsWellFormed(description))
            {
                return "description is not valid Unicode text";
            }

            if (description.EnumerateRunes().Count() > RepositoryInfoLimits.DescriptionLength)
            {
                return $"description is limited to {RepositoryInfoLimits.DescriptionLength} characters";
            }

            if (description.Any(char.IsControl))
            {
                return "description must be one line of text without control characters";
            }
        }

        if (readme is not null)
        {
            if (!IsWellFormed(readme))
            {
                return "readme is not valid Unicode text";
            }

            if (Encoding.UTF8.GetByteCount(readme) > RepositoryInfoLimits.ReadmeBytes)
            {
                return $"readme is limited to {RepositoryInfoLimits.ReadmeBytes} bytes of UTF-8";
            }

            if (readme.Contains('\0', StringComparison.Ordinal))
            {
                return "readme must not contain NUL characters";
            }
        }

        return null;
    }

    /// <summary>No unpaired surrogates (which could not be stored as UTF-8).</summary>
    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
