using Microsoft.AspNetCore.Http;
using Wharf.Core.Events;
using Wharf.Http.Auth;

namespace Wharf.Http.Webhooks;

/// <summary>
/// Makes each request the <see cref="EventOrigin"/> of the events its changes write: the caller (read when the event
/// is written, after authentication), the request id, the client's address, host, method and user agent, and the
/// registry's public address for event URLs. In the pipeline only when webhooks are configured; reads (GET, HEAD)
/// write no event unless an endpoint asked for pulls, so they pass straight through.
/// </summary>
public sealed class EventOriginMiddleware(RequestDelegate next, WebhookRoutes routes)
{
    private readonly bool _reads = routes.WantsPulls;

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        return !_reads && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) ? next(context) : WithOriginAsync(context);
    }

    private async Task WithOriginAsync(HttpContext context)
    {
        using (EventOrigin.Use(() => Describe(context)))
        {
            await next(context);
        }
    }

    private static EventOrigin Describe(HttpContext context)
    {
        var request = context.Request;
        return new EventOrigin(
            context.Features.Get<CallerAccess>()?.User ?? "",
            context.TraceIdentifier,
            AuthorizationHeader.Client(context),
            request.Host.Value,
            request.Method,
            request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
            $"{request.Scheme}://{request.Host.Value}{request.PathBase.Value}");
    }
}
