using System.Globalization;
using System.Text.Json;
using Wharf.Core.Audit;

namespace Wharf.Http.Audit;

/// <summary>The JSON form of an audit event, shared by <c>GET /api/audit</c> and <c>wharf audit --json</c>.</summary>
public static class AuditJson
{
    public static void Write(Utf8JsonWriter json, AuditEvent entry)
    {
        json.WriteStartObject();
        json.WriteNumber("id", entry.Id);
        json.WriteString("at", Time(entry.At));
        json.WriteString("actor", entry.Actor);
        json.WriteString("actorKind", entry.ActorKind);
        json.WriteString("client", entry.ClientAddress);
        json.WriteString("action", entry.Action);
        json.WriteString("repository", entry.Repository);
        json.WriteString("target", entry.Target);
        json.WriteString("detail", entry.Detail);
        json.WriteString("requestId", entry.RequestId);
        json.WriteEndObject();
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}

/// <summary>
/// The times of audit filters: an RFC 3339 / ISO 8601 instant (<c>2026-12-01T00:00:00Z</c>, <c>2026-12-01</c>, read as
/// UTC without an offset) or a duration before now (<c>24h</c>, <c>7d</c>).
/// </summary>
public static class AuditTime
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset at)
    {
        if (Core.Policies.PolicyText.TryParseDuration(text, out var ago))
        {
            at = ago > now - DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : now - ago;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }
}
