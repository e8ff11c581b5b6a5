using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// One delivery as a receiver written for Distribution reads it: <c>{"events":[…]}</c> with one event, read by
/// Distribution's field names. <see cref="Content"/> is the event without <c>source</c> (which names the sending
/// process, so it differs between two sends of one event by two processes).
/// </summary>
internal sealed record Notification(string Id, string Action, string Repository, string? Tag, string? Digest, string Content, JsonElement Event, ReceivedWebhook Request)
{
    public const string MediaType = "application/vnd.docker.distribution.events.v1+json";

    /// <summary>Reads a delivery of one event, checking its content type, its signature (with <paramref name="secret"/>) and its <c>Wharf-Event-Id</c>.</summary>
    public static Notification Read(ReceivedWebhook request, string secret) => Assert.Single(ReadAll(request, secret));

    /// <summary>
    /// Reads every event of a delivery, in order (Distribution's envelope may list several events of one repository),
    /// checking its content type, its signature and that <c>Wharf-Event-Id</c> lists the events' ids.
    /// </summary>
    public static List<Notification> ReadAll(ReceivedWebhook request, string secret)
    {
        Assert.Equal(MediaType, request.ContentType);
        SignatureCheck.Verify(secret, request.Headers.GetValueOrDefault("Wharf-Signature"), request.Body);
        using var body = JsonDocument.Parse(request.Body);
        var all = body.RootElement.GetProperty("events").EnumerateArray().Select(e => Of(e.Clone(), request)).ToList();
        Assert.NotEmpty(all);
        Assert.Equal(string.Join(',', all.Select(n => n.Id)), request.Headers.GetValueOrDefault("Wharf-Event-Id"));
        return all;
    }

    /// <summary>How many events a body lists.</summary>
    public static int Count(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("events").GetArrayLength();
    }

    private static Notification Of(JsonElement e, ReceivedWebhook request)
    {
        var id = e.GetProperty("id").GetString()!;
        var target = e.GetProperty("target");
        var content = string.Join(",", e.EnumerateObject().Where(p => p.Name != "source").Select(p => p.ToString()));
        return new Notification(
            id, e.GetProperty("action").GetString()!, target.GetProperty("repository").GetString()!,
            target.TryGetProperty("tag", out var tag) ? tag.GetString() : null,
            target.TryGetProperty("digest", out var digest) ? digest.GetString() : null,
            content, e, request);
    }

    /// <summary>The id of the one event in a body (to act on a delivery as it arrives).</summary>
    public static string EventId(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("events")[0].GetProperty("id").GetString()!;
    }

    /// <summary>The digests of the manifests whose push events were accepted so far (for waiting on the receiver).</summary>
    public static HashSet<string> AcceptedPushDigests(IEnumerable<ReceivedWebhook> received, string secret) =>
        received.Where(r => r.Answered is >= 200 and < 300).SelectMany(r => ReadAll(r, secret)).Where(n => n.Action == "push" && n.Digest is not null)
            .Select(n => n.Digest!).ToHashSet(StringComparer.Ordinal);
}

/// <summary>A manifest a test pushed, in push order.</summary>
internal sealed record PushedManifest(string Repository, string Tag, string Digest);
