using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Errors;
using Wharf.Core.Events;
using Wharf.Http.Api;
using Wharf.Http.Results;

namespace Wharf.Http.Webhooks;

/// <summary>
/// The webhook outbox for administrators. <c>GET /api/events?state=&amp;endpoint=&amp;repository=&amp;n=&amp;last=</c> lists
/// deliveries, newest event first (<c>n</c> per page, 1–1000, 100 by default; a <c>Link</c> header continues below the
/// event id <c>last</c>). <c>POST /api/events/replay?event=&amp;endpoint=</c> puts dead deliveries back in line.
/// </summary>
public static class EventsApi
{
    public const int MaxPageSize = 1000;

    private static readonly string[] States = [DeliveryStates.Pending, DeliveryStates.Done, DeliveryStates.Dead];

    public static IEndpointRouteBuilder MapWharfEventsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/events", async context => await (await ListAsync(context)).ExecuteAsync(context));
        endpoints.MapPost("/api/events/replay", async context => await (await ReplayAsync(context)).ExecuteAsync(context));
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may read the webhook outbox") is { } refusal)
        {
            return refusal;
        }

        var request = context.Request;
        var size = ApiQuery.Integer(request, "n", 100, 1, MaxPageSize);
        if (size.Error is { } sizeError)
        {
            return new ErrorResult(sizeError);
        }

        var last = ApiQuery.Id(request, "last", "the seq of an event (a number from GET /api/events)");
        if (last.Error is { } lastError)
        {
            return new ErrorResult(lastError);
        }

        var state = ApiQuery.Filter(request, "state");
        if (state is not null && !States.Contains(state))
        {
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "state must be pending, done or dead"));
        }

        var query = new EventQuery(state, ApiQuery.Filter(request, "endpoint"), ApiQuery.Filter(request, "repository"), last.Value, size.Value);
        var page = await context.RequestServices.GetRequiredService<IEventOutbox>().ListAsync(query, context.RequestAborted);
        if (page.HasMore)
        {
            context.Response.Headers.Link = ApiQuery.NextPageLink(request, page.Items[^1].EventId);
        }

        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("deliveries");
            foreach (var delivery in page.Items)
            {
                Write(json, delivery);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> ReplayAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may replay webhook events") is { } refusal)
        {
            return refusal;
        }

        var eventId = ApiQuery.Id(context.Request, "event", "the seq of an event (a number from GET /api/events)");
        if (eventId.Error is { } error)
        {
            return new ErrorResult(error);
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var replayed = await context.RequestServices.GetRequiredService<IEventOutbox>()
            .ReplayAsync(eventId.Value, ApiQuery.Filter(context.Request, "endpoint"), now, context.RequestAborted);
        context.RequestServices.GetService<EventSignal>()?.Pulse();
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteNumber("replayed", replayed);
            json.WriteEndObject();
        });
    }

    /// <summary>One delivery as the API and <c>wharf events list --json</c> show it.</summary>
    public static void Write(Utf8JsonWriter json, EventDelivery delivery)
    {
        var e = delivery.Event;
        json.WriteStartObject();
        json.WriteNumber("seq", delivery.EventId);
        json.WriteString("id", e.Id.ToString());
        json.WriteString("endpoint", delivery.Endpoint);
        json.WriteString("state", delivery.State);
        json.WriteNumber("attempts", delivery.Attempts);
        json.WriteString("nextAttemptAt", delivery.NextAttemptAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (delivery.LastStatus is { } status)
        {
            json.WriteNumber("lastStatus", status);
        }

        if (delivery.LastError is { } lastError)
        {
            json.WriteString("lastError", lastError);
        }

        json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("action", e.Action);
        json.WriteString("repository", e.Repository);
        WriteOptional(json, "tag", e.Tag);
        WriteOptional(json, "digest", e.Digest);
        WriteOptional(json, "mediaType", e.MediaType);
        WriteOptional(json, "actor", e.Origin?.Actor);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
