using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Images;
using Wharf.Core.Services.Layers;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>
/// The JSON API's tag, image and layer-file endpoints. Repository names hold slashes, so the name is the last route
/// segment and everything else a query parameter. Handlers check parameters, then permissions, then call Core.
/// </summary>
public static class ImageApiEndpoints
{
    private const int DefaultTagsPerPage = 50;
    private const int MaxTagsPerPage = 500;
    private const int DefaultFilesPerPage = 500;

    // Served as application/json only, never inlined into HTML, so '+' in media types need not be escaped.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IServiceCollection AddWharfImageApi(this IServiceCollection services)
    {
        services.AddSingleton<ManifestSummaries>();
        services.AddSingleton<ImageDetailsService>();
        services.TryAddSingleton(new LayerBrowserOptions()); // The host binds the LayerBrowser section first.
        services.AddSingleton<LayerListingService>();
        return services;
    }

    public static IEndpointRouteBuilder MapWharfImageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tags/{**name}", context => RunAsync(context, ListTagsAsync));
        endpoints.MapDelete("/api/tags/{**name}", context => RunAsync(context, DeleteTagAsync));
        endpoints.MapGet("/api/image/{**name}", context => RunAsync(context, GetImageAsync));
        endpoints.MapGet("/api/files/{**name}", context => RunAsync(context, ListFilesAsync));
        return endpoints;
    }

    private static async Task RunAsync(HttpContext context, Func<HttpContext, string, ValueTask<IResult>> handle)
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        var result = RepositoryName.IsValid(name) ? await handle(context, name) : new ErrorResult(ErrorCode.NameInvalid);
        await result.ExecuteAsync(context);
    }

    private static async ValueTask<IResult> ListTagsAsync(HttpContext context, string name)
    {
        var paging = ApiQuery.Paging(context, DefaultTagsPerPage, MaxTagsPerPage);
        var order = TagOrderOf(ApiQuery.String(context, "sort"), ApiQuery.String(context, "order"));
        if (!paging.IsOk || !order.IsOk)
        {
            return new ErrorResult(paging.Error ?? order.Error!);
        }

        if (ApiAccess.Refusal(context, name) is { } refusal)
        {
            return new ErrorResult(refusal);
        }

        var tags = await context.RequestServices.GetRequiredService<ImageDetailsService>()
            .ListTagsAsync(name, order.Value, paging.Value.Page, paging.Value.PerPage, context.RequestAborted);
        return Answer(tags);
    }

    private static async ValueTask<IResult> DeleteTagAsync(HttpContext context, string name)
    {
        if (ApiQuery.String(context, "tag") is not { } tag || !TagName.IsValid(tag))
        {
            return new ErrorResult(ApiQuery.Invalid("tag must name a tag"));
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Delete) is { } refusal)
        {
            return new ErrorResult(refusal);
        }

        var deleted = await context.RequestServices.GetRequiredService<ImageDetailsService>().DeleteTagAsync(name, tag, context.RequestAborted);
        return deleted.IsOk ? TypedResults.NoContent() : new ErrorResult(deleted.Error!);
    }

    private static async ValueTask<IResult> GetImageAsync(HttpContext context, string name)
    {
        if (ApiQuery.String(context, "reference") is not { } reference)
        {
            return new ErrorResult(ApiQuery.Invalid("reference (a tag or digest) is required"));
        }

        if (ApiAccess.Refusal(context, name) is { } refusal)
        {
            return new ErrorResult(refusal);
        }

        return Answer(await context.RequestServices.GetRequiredService<ImageDetailsService>().GetImageAsync(name, reference, context.RequestAborted));
    }

    private static async ValueTask<IResult> ListFilesAsync(HttpContext context, string name)
    {
        if (!Digest.TryParse(ApiQuery.String(context, "digest"), out var digest))
        {
            return new ErrorResult(ApiQuery.Invalid("digest must be a layer's sha256 or sha512 digest"));
        }

        var paging = ApiQuery.Paging(context, DefaultFilesPerPage, LayerListingService.MaxPerPage);
        if (!paging.IsOk)
        {
            return new ErrorResult(paging.Error!);
        }

        if (ApiAccess.Refusal(context, name) is { } refusal)
        {
            return new ErrorResult(refusal);
        }

        var listing = await context.RequestServices.GetRequiredService<LayerListingService>()
            .GetPageAsync(name, digest, ApiQuery.String(context, "path"), paging.Value.Page, paging.Value.PerPage, context.RequestAborted);
        return Answer(listing);
    }

    /// <summary><c>sort=name|pushed</c>, <c>order=asc|desc</c>; names ascend and push times descend unless told otherwise.</summary>
    private static Result<TagOrder> TagOrderOf(string? sort, string? order)
    {
        bool? descending = order switch
        {
            null => null,
            "asc" => false,
            "desc" => true,
            _ => null,
        };
        if (order is not null && descending is null)
        {
            return ApiQuery.Invalid("order must be asc or desc");
        }

        return sort switch
        {
            null or "name" => descending == true ? TagOrder.NameDescending : TagOrder.NameAscending,
            "pushed" => descending == false ? TagOrder.PushedOldestFirst : TagOrder.PushedNewestFirst,
            _ => ApiQuery.Invalid("sort must be name or pushed"),
        };
    }

    private static IResult Answer<T>(Result<T> result) =>
        result.IsOk ? new JsonBodyResult("application/json", writer => JsonSerializer.Serialize(writer, result.Value, Json)) : new ErrorResult(result.Error!);
}
