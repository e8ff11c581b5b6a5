using Wharf.Core.Errors;
using Wharf.Core.Metadata;

namespace Wharf.Core.Services;

/// <summary>Tag and repository listings, paginated in lexical order.</summary>
public sealed class CatalogService(IManifestReader manifests, IRepositoryReader repositories, PaginationOptions options)
{
    public async ValueTask<Result<Page<string>>> ListTagsAsync(string repository, int? n, string? last, CancellationToken cancellationToken)
    {
        var page = await manifests.ListTagsAsync(repository, BeforeNul(last), Limit(n), cancellationToken);
        return page is null ? ErrorCode.NameUnknown : page;
    }

    /// <summary>
    /// Repository names after <paramref name="last"/>; with <paramref name="visible"/>, only those it accepts
    /// (the store is read page by page until the page is full or the catalog ends).
    /// </summary>
    public async ValueTask<Page<string>> ListRepositoriesAsync(int? n, string? last, CancellationToken cancellationToken, Func<string, bool>? visible = null)
    {
        var limit = Limit(n);
        last = BeforeNul(last);
        if (visible is null)
        {
            return await repositories.ListAsync(last, limit, cancellationToken);
        }

        var items = new List<string>(Math.Min(limit, 1024));
        while (true)
        {
            var page = await repositories.ListAsync(last, Math.Max(limit, 100), cancellationToken);
            foreach (var name in page.Items)
            {
                if (!visible(name))
                {
                    continue;
                }

                if (items.Count == limit)
                {
                    return new Page<string>(items, true);
                }

                items.Add(name);
            }

            if (!page.HasMore || page.Items.Count == 0)
            {
                return new Page<string>(items, false);
            }

            last = page.Items[^1];
        }
    }

    /// <summary>
    /// <paramref name="last"/> up to its first NUL. No name or tag holds a NUL and it sorts before every other character,
    /// so what comes after <c>a\0…</c> is exactly what comes after <c>a</c>; PostgreSQL refuses NUL in text, so it is
    /// never sent.
    /// </summary>
    private static string? BeforeNul(string? last) => last is not null && last.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0 ? last[..nul] : last;

    private int Limit(int? n) => Math.Min(n ?? options.MaxPageSize, options.MaxPageSize);
}
