using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Wharf.Http.Middleware;

/// <summary>One log line per request: method, path (control characters escaped), status, bytes sent, duration, client and request id.</summary>
public sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                LogRequest(logger, context.Request.Method, LogText.Escape(context.Request.Path.Value), context.Response.StatusCode,
                    context.Response.ContentLength ?? 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.Connection.RemoteIpAddress?.ToString() ?? "-", context.TraceIdentifier);
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {Bytes}B {Milliseconds:0.0}ms from {Client} id {RequestId}")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, long bytes, double milliseconds, string client, string requestId);
}
