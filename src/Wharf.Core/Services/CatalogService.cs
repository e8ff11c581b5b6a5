using Wharf.Core.Errors;
using Wharf.Core.Metadata;

namespace Wharf.Core.Services;

/// <summary>Tag and repository listings, paginated in lexical order.</summary>
public sealed class CatalogService(IManifestReader manifests, IRepositoryReader repositories, PaginationOptions options)
{
    public async ValueTask<Result<Page<string>>> ListTagsAsync(string repository, int? n, string? last, CancellationToken cancellationToken)
    {
        var page = await manifests.ListTagsAsync(repository, last, Limit(n), cancellationToken);
        return page is null ? ErrorCode.NameUnknown : page;
    }

    public async ValueTask<Page<string>> ListRepositoriesAsync(int? n, string? last, CancellationToken cancellationToken) =>
        await repositories.ListAsync(last, Limit(n), cancellationToken);

    private int Limit(int? n) => Math.Min(n ?? options.MaxPageSize, options.MaxPageSize);
}
