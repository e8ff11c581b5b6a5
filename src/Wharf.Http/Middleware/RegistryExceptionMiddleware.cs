using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Http.Middleware;

/// <summary>
/// Turns faults into the spec's errors: a client that went away is dropped quietly, a malformed request
/// body is the client's mistake, and only genuine faults answer 500 (logged).
/// </summary>
public sealed partial class RegistryExceptionMiddleware(RequestDelegate next, ILogger<RegistryExceptionMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested || e is ConnectionResetException)
        {
            LogClientGone(logger, context.Request.Method, context.Request.Path);
        }
        catch (BadHttpRequestException e)
        {
            LogBadRequest(logger, context.Request.Method, context.Request.Path, e.Message);
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCode.ManifestTooLarge : ErrorCode.BlobUploadInvalid;
            await new ErrorResult(new RegistryError(code, e.Message)).ExecuteAsync(context);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            LogUnavailable(logger, e, context.Request.Method, context.Request.Path);
            await new ErrorResult(new RegistryError(ErrorCode.Unavailable, "a backing store is unavailable; retry later")).ExecuteAsync(context);
        }
        catch (Exception e)
        {
            LogFault(logger, e, context.Request.Method, context.Request.Path);
            await new ErrorResult(ErrorCode.Unknown).ExecuteAsync(context);
        }
    }

    /// <summary>Storage and database faults that a retry may cure.</summary>
    private static bool IsUnavailable(Exception e) =>
        e.GetType().Name is "SqliteException" && e.Message.Contains("locked", StringComparison.OrdinalIgnoreCase)
        || e is TimeoutException;

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "{Method} {Path}: the client went away")]
    private static partial void LogClientGone(ILogger logger, string method, PathString path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Method} {Path}: bad request body: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Method} {Path}: backing store unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, PathString path);
}
