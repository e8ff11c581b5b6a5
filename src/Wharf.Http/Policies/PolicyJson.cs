using System.Text.Json;
using Wharf.Core.Policies;
using Wharf.Http.Api;

namespace Wharf.Http.Policies;

/// <summary>The JSON shapes of retention reports and namespace usage (camelCase, times ISO-8601 UTC, sizes in bytes).</summary>
internal static class PolicyJson
{
    public static void WriteReport(Utf8JsonWriter json, RetentionReport report)
    {
        json.WriteStartObject();
        json.WriteBoolean("dryRun", report.DryRun);
        RepositoryJson.WriteTime(json, "at", report.At);
        json.WriteStartArray("tags");
        foreach (var tag in report.Tags)
        {
            json.WriteStartObject();
            json.WriteString("repository", tag.Repository);
            json.WriteString("tag", tag.Tag);
            json.WriteString("digest", tag.Digest);
            RepositoryJson.WriteTime(json, "pushedAt", tag.PushedAt);
            json.WriteString("rule", tag.Rule);
            json.WriteBoolean("deleted", tag.Deleted);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter json, NamespaceUsage usage)
    {
        json.WriteStartObject();
        json.WriteString("namespace", usage.Namespace);
        json.WriteNumber("usage", usage.Usage);
        if (usage.Quota is { } quota)
        {
            json.WriteNumber("quota", quota);
        }
        else
        {
            json.WriteNull("quota");
        }

        json.WriteEndObject();
    }
}
