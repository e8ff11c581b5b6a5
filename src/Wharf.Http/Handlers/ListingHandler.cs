using Microsoft.AspNetCore.Http;
using Wharf.Core.Services;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Handlers;

/// <summary>GET /v2/&lt;name&gt;/tags/list and GET /v2/_catalog.</summary>
public sealed class ListingHandler(CatalogService catalog)
{
    public async ValueTask<IResult> TagsAsync(RegistryRequest request)
    {
        var n = Pagination.ReadCount(request);

        var name = request.Route.Name;
        var page = await catalog.ListTagsAsync(name, n, request.Query("last"), request.Aborted);
        if (!page.IsOk)
        {
            return new ErrorResult(page.Error!);
        }

        var tags = page.Value;
        var headers = tags.HasMore && tags.Items.Count > 0
            ? new[] { Pagination.NextLink($"/v2/{name}/tags/list", tags.Items.Count, tags.Items[^1]) }
            : [];
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteStartArray("tags");
            foreach (var tag in tags.Items)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }, headers);
    }

    public async ValueTask<IResult> CatalogAsync(RegistryRequest request)
    {
        var n = Pagination.ReadCount(request);

        var page = await catalog.ListRepositoriesAsync(n, request.Query("last"), request.Aborted, request.Http.Features.Get<CallerAccess>() is { } caller ? caller.MayPull : null);
        var headers = page.HasMore && page.Items.Count > 0
            ? new[] { Pagination.NextLink("/v2/_catalog", page.Items.Count, page.Items[^1]) }
            : [];
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("repositories");
            foreach (var name in page.Items)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }, headers);
    }
}
