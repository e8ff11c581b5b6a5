using Microsoft.AspNetCore.Http;
using Wharf.Core.Events;
using Wharf.Http.Auth;

namespace Wharf.Http.Webhooks;

/// <summary>
/// Makes each request the <see cref="EventOrigin"/> of the events its changes write: the caller (read when the event
/// is written, after authentication), the request id, the client's address, host, method and user agent, and the
/// registry's public address for event URLs. In the pipeline only when webhooks are configured.
/// </summary>
public sealed class EventOriginMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
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
