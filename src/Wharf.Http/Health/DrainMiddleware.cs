using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Http.Health;

/// <summary>
/// Counts requests in flight and, once the server drains, answers new ones 503 UNAVAILABLE with <c>Retry-After</c>
/// (another instance, or this one after its restart, will take them). Probes pass: <c>/readyz</c> reports the drain.
/// </summary>
public sealed class DrainMiddleware(RequestDelegate next, DrainState drain)
{
    private static readonly KeyValuePair<string, string> RetryAfter = new("Retry-After", "5");

    public async Task InvokeAsync(HttpContext context)
    {
        if (HealthEndpoints.IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (!drain.TryEnter())
        {
            context.Response.Headers.Connection = "close";
            await new ErrorResult(new RegistryError(ErrorCode.Unavailable, "the registry is shutting down; retry later"))
            {
                Headers = [RetryAfter],
            }.ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            drain.Exit();
        }
    }
}
