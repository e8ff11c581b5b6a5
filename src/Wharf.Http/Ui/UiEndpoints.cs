using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Wharf.Http.Ui;

/// <summary>
/// The web UI: <c>index.html</c> for every page the UI routes on the client (<c>/</c>, <c>/sign-in</c>, <c>/r/…</c>),
/// and the versioned static assets under <c>/ui/&lt;version&gt;/</c>. Only GET and HEAD; every other path and method
/// keeps the registry's JSON 404. The UI reads data only through <c>/api/</c>.
/// </summary>
public static class UiEndpoints
{
    /// <summary>
    /// Scripts and styles only from Wharf itself, never inline; no plugins, frames or foreign connections; and in
    /// browsers that support Trusted Types, no HTML string may reach a DOM sink at all (the UI builds nodes, never markup).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'";

    private const string Immutable = "public, max-age=31536000, immutable";
    private const string Revalidate = "no-cache";
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];
    private static readonly Lazy<UiAssets> Assets = new(() => UiAssets.Load(typeof(UiEndpoints).Assembly));

    public static IEndpointRouteBuilder MapWharfUi(this IEndpointRouteBuilder endpoints)
    {
        RequestDelegate page = context => WriteAsync(context, Assets.Value.Index, Revalidate);
        endpoints.MapMethods("/", GetOrHead, page);
        endpoints.MapMethods("/sign-in", GetOrHead, page);
        endpoints.MapMethods("/r/{**rest}", GetOrHead, page);
        endpoints.MapMethods("/ui/{version}/{**file}", GetOrHead, ServeAssetAsync);
        return endpoints;
    }

    private static Task ServeAssetAsync(HttpContext context)
    {
        var assets = Assets.Value;
        var file = context.Request.RouteValues["file"] as string ?? "";
        if (assets.Find(file) is not { } asset)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        // A page loaded before an upgrade may still ask for the old version: give it today's file, uncached.
        var current = string.Equals(context.Request.RouteValues["version"] as string, assets.Version, StringComparison.Ordinal);
        return WriteAsync(context, asset, current ? Immutable : Revalidate);
    }

    private static async Task WriteAsync(HttpContext context, UiAsset asset, string cacheControl)
    {
        var request = context.Request;
        var response = context.Response;
        var (body, encoding) = asset.For(AcceptedEncodings.Parse(request.Headers.AcceptEncoding));
        var etag = asset.ETagFor(encoding);
        var headers = response.Headers;
        headers.CacheControl = cacheControl;
        headers.ETag = etag;
        headers.Vary = HeaderNames.AcceptEncoding;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static bool Matches(IEnumerable<string?> ifNoneMatch, string etag) =>
        ifNoneMatch.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries))
            .Any(tag => tag == "*" || tag == etag || tag == "W/" + etag);
}
