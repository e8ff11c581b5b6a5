using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Http.Middleware;

/// <summary>
/// Turns faults into the spec's errors: a client that went away is dropped quietly, a malformed request
/// body is the client's mistake, a full disk answers 507, an unreachable engine 503 with <c>Retry-After</c>
/// (see <see cref="BackendFaults"/>), and only genuine faults answer 500 (logged with their stack).
/// </summary>
public sealed partial class RegistryExceptionMiddleware(RequestDelegate next, ILogger<RegistryExceptionMiddleware> logger)
{
    /// <summary>How long a client is asked to wait after a 503: long enough for a database restart or a gateway's failover.</summary>
    private const string RetryAfterSeconds = "5";

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
        catch (Exception e) when (BackendFaults.Classify(e) is ErrorCode.StorageFull)
        {
            LogStorageFull(logger, context.Request.Method, context.Request.Path, BackendFaults.Cause(e));
            await new ErrorResult(new RegistryError(ErrorCode.StorageFull, "the registry's storage is full; nothing of this request was kept")).ExecuteAsync(context);
        }
        catch (Exception e) when (BackendFaults.Classify(e) is ErrorCode.Unavailable)
        {
            LogUnavailable(logger, context.Request.Method, context.Request.Path, BackendFaults.Cause(e));
            await new ErrorResult(new RegistryError(ErrorCode.Unavailable, "a backing store is unavailable; retry later"))
            {
                Headers = [new("Retry-After", RetryAfterSeconds)],
            }.ExecuteAsync(context);
        }
        catch (Exception e)
        {
            LogFault(logger, e, context.Request.Method, context.Request.Path);
            await new ErrorResult(ErrorCode.Unknown).ExecuteAsync(context);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "{Method} {Path}: the client went away")]
    private static partial void LogClientGone(ILogger logger, string method, PathString path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Method} {Path}: bad request body: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string method, PathString path, string reason);

    // One line without the stack: an outage fails many requests, and their cause is all an operator needs.
    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Method} {Path}: backing store unavailable: {Cause}")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string cause);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "{Method} {Path}: storage full: {Cause}")]
    private static partial void LogStorageFull(ILogger logger, string method, PathString path, string cause);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, PathString path);
}
