using System.Text.Json;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.Http.Api;

/// <summary>The JSON shapes of repositories in the JSON API (camelCase, times ISO-8601 UTC or null).</summary>
internal static class RepositoryJson
{
    public static void WriteSummary(Utf8JsonWriter json, RepositorySummary summary)
    {
        json.WriteStartObject();
        WriteSummaryFields(json, summary);
        json.WriteEndObject();
    }

    public static void WriteDetails(Utf8JsonWriter json, RepositoryDetails details, AccessActions allowed)
    {
        json.WriteStartObject();
        WriteSummaryFields(json, details.Summary);
        json.WriteString("readme", details.Readme);
        json.WriteStartObject("permissions");
        json.WriteBoolean("pull", allowed.HasFlag(AccessActions.Pull));
        json.WriteBoolean("push", allowed.HasFlag(AccessActions.Push));
        json.WriteBoolean("delete", allowed.HasFlag(AccessActions.Delete));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSummaryFields(Utf8JsonWriter json, RepositorySummary summary)
    {
        json.WriteString("name", summary.Name);
        json.WriteString("description", summary.Description);
        json.WriteNumber("pullCount", summary.PullCount);
        WriteTime(json, "lastPushedAt", summary.LastPushedAt);
        WriteTime(json, "lastPulledAt", summary.LastPulledAt);
        json.WriteNumber("tagCount", summary.TagCount);
    }

    /// <summary>ISO-8601 in UTC with a <c>Z</c>, or null.</summary>
    public static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, t.UtcDateTime);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
