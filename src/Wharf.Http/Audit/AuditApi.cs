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

        long? last = null;
        if (ApiQuery.Text(request, "last") is { Length: > 0 } lastText)
        {
            if (!long.TryParse(lastText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "last must be the id of an audit event"));
            }

            last = id;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var since = Time(request, "since", now);
        var until = Time(request, "until", now);
        if ((since.Error ?? until.Error) is { } timeError)
        {
            return new ErrorResult(timeError);
        }

        var query = new AuditQuery(Filter(request, "actor"), Filter(request, "action"), Filter(request, "repository"), since.Value, until.Value, last, size.Value);
        var page = await context.RequestServices.GetRequiredService<IAuditStore>().QueryAsync(query, context.RequestAborted);
        if (page.HasMore)
        {
            context.Response.Headers.Link = $"<{NextPage(request, page.Items[^1].Id)}>; rel=\"next\"";
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

    private static string? Filter(HttpRequest request, string name) => ApiQuery.Text(request, name) is { Length: > 0 } value ? value : null;

    private static Result<DateTimeOffset?> Time(HttpRequest request, string name, DateTimeOffset now)
    {
        if (Filter(request, name) is not { } text)
        {
            return (DateTimeOffset?)null;
        }

        return AuditTime.TryParse(text, now, out var at)
            ? Result<DateTimeOffset?>.Ok(at)
            : new RegistryError(ErrorCode.ApiRequestInvalid, $"{name} must be an instant (2026-12-01T00:00:00Z) or a duration before now (24h, 7d)");
    }

    private static string NextPage(HttpRequest request, long last)
    {
        var query = request.Query.Where(p => p.Key != "last").SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        query.Add(new("last", last.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return "/api/audit" + QueryString.Create(query);
    }
}
