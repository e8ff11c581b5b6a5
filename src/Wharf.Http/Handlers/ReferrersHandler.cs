using Microsoft.AspNetCore.Http;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Handlers;

/// <summary>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;: always an OCI index, never a 404.</summary>
public sealed class ReferrersHandler(ManifestService manifests, PaginationOptions options)
{
    public async ValueTask<IResult> HandleAsync(RegistryRequest request)
    {
        var n = Pagination.ReadCount(request);

        var subject = Digest.Parse(request.Route.Reference);
        var artifactType = request.Query("artifactType");
        if (artifactType?.Length == 0)
        {
            artifactType = null;
        }

        var all = await manifests.ListReferrersAsync(request.Route.Name, subject, artifactType, request.Aborted);
        var last = request.Query("last");
        var limit = Math.Min(n ?? options.MaxPageSize, options.MaxPageSize);
        var after = last is null ? all : all.Where(r => string.CompareOrdinal(r.Digest.Value, last) > 0).ToList();
        var page = after.Take(limit).ToList();

        var headers = new List<KeyValuePair<string, string>>(2);
        if (artifactType is not null)
        {
            headers.Add(new("OCI-Filters-Applied", "artifactType"));
        }

        if (after.Count > page.Count && page.Count > 0)
        {
            var filter = artifactType is null ? "" : $"artifactType={Uri.EscapeDataString(artifactType)}&";
            headers.Add(Pagination.NextLink($"/v2/{request.Route.Name}/referrers/{subject.Value}", limit, page[^1].Digest.Value, filter));
        }

        return new JsonBodyResult(MediaTypes.OciIndex, json => ReferrersIndex.Write(json, page), [.. headers]);
    }
}
