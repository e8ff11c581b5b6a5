using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Gc;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary><c>GET /api/gc</c> (the collector's queues and totals, for admins) and <c>DELETE /api/repository/{name}</c>.</summary>
public static class LifecycleApi
{
    public static IEndpointRouteBuilder MapWharfLifecycleApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/gc", GetGcAsync);
        endpoints.MapDelete("/api/repository/{**name}", DeleteRepositoryAsync);
        return endpoints;
    }

    private static async Task GetGcAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may read the garbage collector's status") is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        var status = await context.RequestServices.GetRequiredService<GcStatusReader>().ReadAsync(context.RequestAborted);
        await new JsonBodyResult("application/json", json => GcStatusJson.Write(json, status)).ExecuteAsync(context);
    }

    private static async Task DeleteRepositoryAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        IResult result;
        if (!RepositoryName.IsValid(name))
        {
            result = new ErrorResult(ErrorCode.NameInvalid);
        }
        else if (ApiAccess.Refusal(context, name, AccessActions.Pull | AccessActions.Delete) is { } refusal)
        {
            result = refusal;
        }
        else
        {
            var deleted = await context.RequestServices.GetRequiredService<RepositoryRemover>().DeleteAsync(name, context.RequestAborted);
            if (deleted.IsOk)
            {
                await context.RequestServices.GetRequiredService<Audit.RequestAudit>().RecordAsync(context, Core.Audit.AuditActions.RepositoryDelete, name);
            }

            result = deleted.IsOk ? TypedResults.NoContent() : new ErrorResult(deleted.Error!);
        }

        await result.ExecuteAsync(context);
    }
}

/// <summary>The JSON form of <see cref="GcStatus"/>, shared by the API and <c>wharf gc status --json</c>.</summary>
public static class GcStatusJson
{
    public static void Write(Utf8JsonWriter json, GcStatus status)
    {
        json.WriteStartObject();
        json.WriteBoolean("enabled", status.Enabled);
        json.WriteNumber("gracePeriodSeconds", (long)status.GracePeriod.TotalSeconds);
        json.WriteString("untaggedManifests", status.UntaggedManifests == UntaggedManifestPolicy.Delete ? "delete" : "keep");
        json.WriteNumber("untaggedManifestsAfterSeconds", (long)status.UntaggedManifestsAfter.TotalSeconds);
        json.WriteStartObject("queued");
        WriteCounts(json, status.Queued);
        json.WriteEndObject();
        json.WriteStartObject("due");
        WriteCounts(json, status.Due);
        json.WriteEndObject();
        json.WriteStartObject("reclaimed");
        json.WriteNumber("blobs", status.Totals.BlobsDeleted);
        json.WriteNumber("bytes", status.Totals.BytesReclaimed);
        json.WriteNumber("links", status.Totals.LinksDeleted);
        json.WriteNumber("manifests", status.Totals.ManifestsDeleted);
        json.WriteEndObject();
        if (status.Totals.LastCycleAt is { } last)
        {
            json.WriteString("lastRunAt", last.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("lastRunAt");
        }

        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, Wharf.Core.Metadata.GcQueueCounts counts)
    {
        json.WriteNumber("manifests", counts.Manifests);
        json.WriteNumber("links", counts.Links);
        json.WriteNumber("blobs", counts.Blobs);
    }
}
