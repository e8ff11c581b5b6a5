using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Audit;
using Wharf.Core.Errors;
using Wharf.Http.Api;
using Wharf.Http.Results;

namespace Wharf.Http.Audit;

/// <summary>
/// <c>GET /api/audit?actor=&amp;action=&amp;repository=&amp;since=&amp;until=&amp;n=&amp;last=</c>: the audit log, newest first,
/// for administrators. <c>n</c> events per page (1–1000, 100 by default); a fuller log answers a <c>Link</c> header to
/// the next page, which continues below the id <c>last</c>.
/// </summary>
public static class AuditApi
{
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapWharfAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/audit", async context => await (await ListAsync(context)).ExecuteAsync(context));
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may read the audit log") is { } refusal)
        {
            return refusal;
        }

        var request = context.Request;
        var size = ApiQuery.Integer(request, "n", 100, 1, MaxPageSize);
        if (size.Error is { } sizeError)
        {
            return new ErrorResult(sizeError);
        }

        var last = ApiQuery.Id(request, "last", "the id of an audit event");
        if (last.Error is { } lastError)
        {
            return new ErrorResult(lastError);
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var since = Time(request, "since", now);
        var until = Time(request, "until", now);
        if ((since.Error ?? until.Error) is { } timeError)
        {
            return new ErrorResult(timeError);
        }

        var query = new AuditQuery(
            ApiQuery.Filter(request, "actor"), ApiQuery.Filter(request, "action"), ApiQuery.Filter(request, "repository"), since.Value, until.Value, last.Value, size.Value);
        var page = await context.RequestServices.GetRequiredService<IAuditStore>().QueryAsync(query, context.RequestAborted);
        if (page.HasMore)
        {
            context.Response.Headers.Link = ApiQuery.NextPageLink(request, page.Items[^1].Id);
        }

        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            foreach (var entry in page.Items)
            {
                AuditJson.Write(json, entry);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static Result<DateTimeOffset?> Time(HttpRequest request, string name, DateTimeOffset now)
    {
        if (ApiQuery.Filter(request, name) is not { } text)
        {
            return (DateTimeOffset?)null;
        }

        return AuditTime.TryParse(text, now, out var at)
            ? Result<DateTimeOffset?>.Ok(at)
            : new RegistryError(ErrorCode.ApiRequestInvalid, $"{name} must be an instant (2026-12-01T00:00:00Z) or a duration before now (24h, 7d)");
    }
}
