using System.Globalization;
using System.Text.Json;
using Wharf.Core.Events;

namespace Wharf.Http.Webhooks;

/// <summary>
/// The body sent for one event: Distribution's notification envelope (receivers written for Distribution read it
/// unchanged), or a CloudEvents 1.0 structured event.
/// </summary>
public static class WebhookEnvelope
{
    public const string DistributionMediaType = "application/vnd.docker.distribution.events.v1+json";

    public const string CloudEventsMediaType = "application/cloudevents+json";

    /// <summary>
    /// The body and its content type for <paramref name="format"/>: Distribution's envelope lists every event, in order;
    /// a CloudEvent is one event (the first). <paramref name="source"/> names the sending instance.
    /// </summary>
    public static (byte[] Body, string ContentType) Render(IReadOnlyList<RegistryEvent> events, string format, EventSourceInfo source)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (format == WebhookFormats.CloudEvents)
            {
                WriteCloudEvent(json, events[0], source);
            }
            else
            {
                json.WriteStartObject();
                json.WriteStartArray("events");
                foreach (var registryEvent in events)
                {
                    WriteDistributionEvent(json, registryEvent, source);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }
        }

        return (buffer.ToArray(), format == WebhookFormats.CloudEvents ? CloudEventsMediaType : DistributionMediaType);
    }

    /// <summary>
    /// Distribution's action names: push, pull, mount, delete (a tag delete carries <c>target.tag</c>). Actions Distribution
    /// has no name for (refusals) keep Wharf's.
    /// </summary>
    public static string DistributionAction(string action) => action switch
    {
        EventActions.ManifestPush => "push",
        EventActions.ManifestPull => "pull",
        EventActions.BlobMount => "mount",
        EventActions.ManifestDelete or EventActions.TagDelete or EventActions.RepositoryDelete => "delete",
        _ => action,
    };

    private static void WriteDistributionEvent(Utf8JsonWriter json, RegistryEvent e, EventSourceInfo source)
    {
        json.WriteStartObject();
        json.WriteString("id", e.Id.ToString());
        json.WriteString("timestamp", Timestamp(e.Timestamp));
        json.WriteString("action", DistributionAction(e.Action));
        json.WriteStartObject("target");
        WriteTarget(json, e);
        json.WriteEndObject();
        json.WriteStartObject("request");
        Optional(json, "id", e.Origin?.RequestId);
        Optional(json, "addr", e.Origin?.ClientAddress);
        Optional(json, "host", e.Origin?.Host);
        Optional(json, "method", e.Origin?.Method);
        Optional(json, "useragent", e.Origin?.UserAgent);
        json.WriteEndObject();
        json.WriteStartObject("actor");
        if (e.Origin?.Actor is { Length: > 0 } actor)
        {
            json.WriteString("name", actor);
        }

        json.WriteEndObject();
        json.WriteStartObject("source");
        json.WriteString("addr", source.Address);
        json.WriteString("instanceID", source.InstanceId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteCloudEvent(Utf8JsonWriter json, RegistryEvent e, EventSourceInfo source)
    {
        json.WriteStartObject();
        json.WriteString("specversion", "1.0");
        json.WriteString("id", e.Id.ToString());
        json.WriteString("source", e.Origin?.BaseUrl ?? "//" + source.Address);
        json.WriteString("type", "io.wharf." + e.Action);
        json.WriteString("subject", e.Repository);
        json.WriteString("time", Timestamp(e.Timestamp));
        json.WriteString("datacontenttype", "application/json");
        json.WriteStartObject("data");
        WriteTarget(json, e);
        if (e.Origin is { } origin)
        {
            json.WriteString("actor", origin.Actor);
            Optional(json, "requestId", origin.RequestId);
            Optional(json, "clientAddress", origin.ClientAddress);
        }

        json.WriteString("instanceID", source.InstanceId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTarget(Utf8JsonWriter json, RegistryEvent e)
    {
        Optional(json, "mediaType", e.MediaType);
        Optional(json, "digest", e.Digest);
        if (e.Size is { } size)
        {
            json.WriteNumber("size", size);
            json.WriteNumber("length", size);
        }

        json.WriteString("repository", e.Repository);
        if (e.FromRepository is { } from)
        {
            json.WriteString("fromRepository", from);
        }

        if (e.Origin?.BaseUrl is { } baseUrl && e.Digest is { } digest)
        {
            var kind = e.Action == EventActions.BlobMount ? "blobs" : "manifests";
            json.WriteString("url", $"{baseUrl.TrimEnd('/')}/v2/{e.Repository}/{kind}/{digest}");
        }

        Optional(json, "tag", e.Tag);
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The instance that sends events: its address (host name and the port it listens on, read once it listens, so a
/// port chosen at start is the real one) and an id for this process.
/// </summary>
public sealed class EventSourceInfo(Func<string> address, string instanceId)
{
    private readonly Lazy<string> _address = new(address);

    public string Address => _address.Value;

    public string InstanceId => instanceId;
}
