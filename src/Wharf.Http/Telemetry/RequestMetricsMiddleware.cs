using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Wharf.Core.Telemetry;

namespace Wharf.Http.Telemetry;

/// <summary>Where the Prometheus scrape endpoint is mapped (<c>Metrics:Path</c>).</summary>
public sealed record MetricsEndpoint(string Path);

/// <summary>
/// Labels every request's <c>http.server.request.duration</c> with its <see cref="RouteFamily"/>, counts upload requests
/// in flight and blob bytes sent, and brings the GC gauges up to date before a scrape.
/// </summary>
public sealed partial class RequestMetricsMiddleware(
    RequestDelegate next, WharfMetrics metrics, GcMetrics gc, MetricsEndpoint endpoint, ILogger<RequestMetricsMiddleware> logger)
{
    /// <remarks>Most requests (manifests, HEADs, uploads' neighbours) need nothing after the response: they pass straight on, without an async frame of their own.</remarks>
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var family = RouteFamily.Of(request.Path.Value, endpoint.Path);
        context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new("wharf.route_family", family));
        if (ReferenceEquals(family, RouteFamily.Metrics))
        {
            return ScrapeAsync(context);
        }

        if (ReferenceEquals(family, RouteFamily.Upload)
            && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method)))
        {
            return UploadAsync(context);
        }

        return ReferenceEquals(family, RouteFamily.Blob) && HttpMethods.IsGet(request.Method) ? BlobGetAsync(context) : next(context);
    }

    private async Task ScrapeAsync(HttpContext context)
    {
        await RefreshGcAsync(context.RequestAborted);
        await next(context);
    }

    private async Task UploadAsync(HttpContext context)
    {
        metrics.UploadStarted();
        try
        {
            await next(context);
        }
        finally
        {
            metrics.UploadEnded();
        }
    }

    private async Task BlobGetAsync(HttpContext context)
    {
        await next(context);
        if (context.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent && context.Response.ContentLength is { } sent)
        {
            metrics.BlobBytesOut(sent);
        }
    }

    private async ValueTask RefreshGcAsync(CancellationToken cancellationToken)
    {
        try
        {
            await gc.RefreshIfStaleAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
        {
            // The scrape still answers, with the last values read: the metadata store's own errors show in its metrics.
            LogGcReadFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Could not read the garbage collector's queue for /metrics")]
    private static partial void LogGcReadFailed(ILogger logger, Exception exception);
}
