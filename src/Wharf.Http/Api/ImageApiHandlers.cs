using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Images;
using Wharf.Core.Services.Layers;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>Handlers of <see cref="ImageApi"/>: each checks its parameters, then the caller's rights, then asks Core.</summary>
internal static class ImageApiHandlers
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

    public static async Task RunAsync(HttpContext context, Func<HttpContext, string, ValueTask<IResult>> handle)
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        var result = RepositoryName.IsValid(name) ? await handle(context, name) : new ErrorResult(ErrorCode.NameInvalid);
        await result.ExecuteAsync(context);
    }

    public static async ValueTask<IResult> ListTagsAsync(HttpContext context, string name)
    {
        var paging = Paging(context, DefaultTagsPerPage, MaxTagsPerPage);
        var order = TagOrderOf(Query(context, "sort"), Query(context, "order"));
        if (!paging.IsOk || !order.IsOk)
        {
            return new ErrorResult(paging.Error ?? order.Error!);
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull) is { } refusal)
        {
            return refusal;
        }

        var tags = await context.RequestServices.GetRequiredService<ImageDetailsService>()
            .ListTagsAsync(name, order.Value, paging.Value.Page, paging.Value.PerPage, context.RequestAborted);
        return Answer(tags);
    }

    public static async ValueTask<IResult> DeleteTagAsync(HttpContext context, string name)
    {
        if (Query(context, "tag") is not { } tag || !TagName.IsValid(tag))
        {
            return new ErrorResult(Invalid("tag must name a tag"));
        }

        // digest= makes the delete conditional: only while the tag still points to the manifest the caller saw.
        Digest? expected = null;
        if (Query(context, "digest") is { } text)
        {
            if (!Digest.TryParse(text, out var digest))
            {
                return new ErrorResult(Invalid("digest must be a manifest's sha256 or sha512 digest"));
            }

            expected = digest;
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull | AccessActions.Delete) is { } refusal)
        {
            return refusal;
        }

        var deleted = await context.RequestServices.GetRequiredService<ImageDetailsService>().DeleteTagAsync(name, tag, expected, context.RequestAborted);
        if (!deleted.IsOk)
        {
            return new ErrorResult(deleted.Error!);
        }

        await context.RequestServices.GetRequiredService<Audit.RequestAudit>().RecordAsync(context, Core.Audit.AuditActions.TagDelete, name, tag);
        return TypedResults.NoContent();
    }

    public static async ValueTask<IResult> GetImageAsync(HttpContext context, string name)
    {
        if (Query(context, "reference") is not { } reference)
        {
            return new ErrorResult(Invalid("reference (a tag or digest) is required"));
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull) is { } refusal)
        {
            return refusal;
        }

        return Answer(await context.RequestServices.GetRequiredService<ImageDetailsService>().GetImageAsync(name, reference, context.RequestAborted));
    }

    public static async ValueTask<IResult> ListFilesAsync(HttpContext context, string name)
    {
        if (!Digest.TryParse(Query(context, "digest"), out var digest))
        {
            return new ErrorResult(Invalid("digest must be a layer's sha256 or sha512 digest"));
        }

        var paging = Paging(context, DefaultFilesPerPage, LayerListingService.MaxPerPage);
        var children = Flag(context, "children");
        if (!paging.IsOk || !children.IsOk)
        {
            return new ErrorResult(paging.Error ?? children.Error!);
        }

        if (ApiAccess.Refusal(context, name, AccessActions.Pull) is { } refusal)
        {
            return refusal;
        }

        var layers = context.RequestServices.GetRequiredService<LayerListingService>();
        var (page, perPage) = paging.Value;
        return children.Value
            ? Answer(await layers.GetChildrenAsync(name, digest, Query(context, "path"), page, perPage, context.RequestAborted))
            : Answer(await layers.GetPageAsync(name, digest, Query(context, "path"), page, perPage, context.RequestAborted));
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
            return Invalid("order must be asc or desc");
        }

        return sort switch
        {
            null or "name" => descending == true ? TagOrder.NameDescending : TagOrder.NameAscending,
            "pushed" => descending == false ? TagOrder.PushedOldestFirst : TagOrder.PushedNewestFirst,
            _ => Invalid("sort must be name or pushed"),
        };
    }

    /// <summary>A query parameter; null when absent or empty.</summary>
    private static string? Query(HttpContext context, string name) => ApiQuery.Text(context.Request, name) is { Length: > 0 } value ? value : null;

    /// <summary>A <c>true</c>/<c>false</c> parameter; false when absent or empty.</summary>
    private static Result<bool> Flag(HttpContext context, string name) => Query(context, name) switch
    {
        null or "false" => false,
        "true" => true,
        _ => Invalid($"{name} must be true or false"),
    };

    /// <summary><c>page</c> (from 1) and <c>perPage</c> (1 to <paramref name="maxPerPage"/>).</summary>
    private static Result<(int Page, int PerPage)> Paging(HttpContext context, int defaultPerPage, int maxPerPage)
    {
        var page = ApiQuery.Integer(context.Request, "page", 1, 1, 1_000_000_000);
        var perPage = ApiQuery.Integer(context.Request, "perPage", defaultPerPage, 1, maxPerPage);
        return !page.IsOk ? page.Error! : !perPage.IsOk ? perPage.Error! : (page.Value, perPage.Value);
    }

    private static RegistryError Invalid(string message) => new(ErrorCode.ApiRequestInvalid, message);

    private static IResult Answer<T>(Result<T> result) =>
        result.IsOk ? new JsonBodyResult("application/json", writer => JsonSerializer.Serialize(writer, result.Value, Json)) : new ErrorResult(result.Error!);
}
