using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Wharf.Core.Errors;
using Wharf.Http.Auth;
using Wharf.Core.Mirror;
using Wharf.Http.Handlers;
using Wharf.Http.Mirror;
using Wharf.Http.Results;
using Wharf.Http.Routing;

namespace Wharf.Http;

/// <summary>
/// The single /v2/ endpoint: parses the raw path with <see cref="OciPath"/> and hands the request to the
/// handler of its resource.
/// </summary>
public sealed class RegistryDispatcher(
    BlobHandler blobs,
    UploadHandler uploads,
    ManifestHandler manifests,
    ListingHandler listings,
    ReferrersHandler referrers,
    AccessGate gate,
    MirrorRouting? mirror = null,
    MirrorNames? mirrorNames = null)
{
    public ValueTask<IResult> DispatchAsync(HttpContext context)
    {
        var parsed = OciPath.Parse(RawPath(context));
        if (mirror is not null && parsed.Error is null)
        {
            return RewriteThenDispatchAsync(context, parsed);
        }

        return gate.Enabled && parsed.Error is null ? AuthorizeThenRouteAsync(context, parsed) : Route(context, parsed);
    }

    /// <summary>Mirror mode's rewrite comes first, so authorization and routing both see the cached name.</summary>
    private async ValueTask<IResult> RewriteThenDispatchAsync(HttpContext context, OciPathResult parsed)
    {
        parsed = parsed with { Route = await mirror!.RewriteAsync(context, parsed.Route) };
        return gate.Enabled ? await AuthorizeThenRouteAsync(context, parsed) : await Route(context, parsed);
    }

    /// <summary>Authorization comes before any lookup, so a denial cannot depend on what exists.</summary>
    private async ValueTask<IResult> AuthorizeThenRouteAsync(HttpContext context, OciPathResult parsed) =>
        await gate.AuthorizeAsync(context, parsed.Route) ?? await Route(context, parsed);

    private ValueTask<IResult> Route(HttpContext context, OciPathResult parsed)
    {
        var method = context.Request.Method;
        var readOnly = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (parsed.Error is { } error)
        {
            // A tag that cannot exist is simply not found when pulled or deleted; only a push is told it is invalid.
            return Error(error.Code == ErrorCode.TagInvalid && !HttpMethods.IsPut(method) ? new RegistryError(ErrorCode.ManifestUnknown) : error);
        }

        if (!readOnly && mirrorNames?.Resolve(parsed.Route.Name) is { } cached)
        {
            // The cache owns its prefix: a push or delete there would be overwritten by, or shadow, the upstream.
            return Error(new RegistryError(ErrorCode.Denied, $"repository {cached.Repository} is a read-only cache of {cached.Upstream.Url}"));
        }

        var request = new RegistryRequest(context, parsed.Route);
        switch (parsed.Route.Kind)
        {
            case OciRouteKind.Base when readOnly:
                return ValueTask.FromResult<IResult>(RegistryResponse.Ok());
            case OciRouteKind.Catalog when readOnly:
                return listings.CatalogAsync(request);
            case OciRouteKind.TagList when readOnly:
                return listings.TagsAsync(request);
            case OciRouteKind.Referrers when readOnly:
                return referrers.HandleAsync(request);
            case OciRouteKind.Blob when readOnly || HttpMethods.IsDelete(method):
                return blobs.HandleAsync(request);
            case OciRouteKind.Manifest:
                return manifests.HandleAsync(request);
            case OciRouteKind.UploadStart or OciRouteKind.Upload:
                LiftBodyLimit(context);
                return uploads.HandleAsync(request);
            default:
                return Error(ErrorCode.MethodNotAllowed);
        }
    }

    /// <summary>The path as the client sent it, before any decoding or dot-segment removal.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return context.Request.PathBase + context.Request.Path;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? raw[..query] : raw;
    }

    /// <summary>Blob bodies stream to storage, so uploads take any size; everything else keeps Kestrel's limit.</summary>
    private static void LiftBodyLimit(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = null;
        }
    }

    private static ValueTask<IResult> Error(RegistryError error) => ValueTask.FromResult<IResult>(new ErrorResult(error));
}
