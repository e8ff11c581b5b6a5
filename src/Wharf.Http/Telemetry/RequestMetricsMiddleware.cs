using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Core.Telemetry;

namespace Wharf.Http.Telemetry;

/// <summary>Where the Prometheus scrape endpoint is mapped (<c>Metrics:Path</c>).</summary>
public sealed record MetricsEndpoint(string Path);

/// <summary>
/// Records every request in <see cref="HttpServerMetrics"/> under its <see cref="RouteFamily"/>, counts upload requests
/// in flight and blob bytes sent, and brings the GC gauges up to date before a scrape. First in the pipeline, so a
/// request's duration covers everything Wharf does for it.
/// </summary>
public sealed partial class RequestMetricsMiddleware(
    RequestDelegate next, HttpServerMetrics requests, WharfMetrics metrics, GcMetrics gc, MetricsEndpoint endpoint, ILogger<RequestMetricsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var family = RouteFamily.Of(request.Path.Value, endpoint.Path);
        var slot = requests.Started(request);
        var upload = ReferenceEquals(family, RouteFamily.Upload)
            && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method));
        Exception? failure = null;
        try
        {
            if (upload)
            {
                metrics.UploadStarted();
            }
            else if (ReferenceEquals(family, RouteFamily.Metrics))
            {
                await RefreshGcAsync(context.RequestAborted);
            }

            await next(context);
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            if (upload)
            {
                metrics.UploadEnded();
            }

            var response = context.Response;
            var status = failure is null || response.HasStarted ? response.StatusCode : StatusCodes.Status500InternalServerError;
            requests.Ended(slot, family, status, started, failure);
            if (failure is null && ReferenceEquals(family, RouteFamily.Blob) && HttpMethods.IsGet(request.Method)
                && status is StatusCodes.Status200OK or StatusCodes.Status206PartialContent && response.ContentLength is { } sent)
            {
                metrics.BlobBytesOut(sent);
            }
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
