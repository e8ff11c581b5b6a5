using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Events;
using Wharf.Http.Webhooks;
using Wharf.IntegrationTests.Audit;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>
/// A basic-auth server on a fake clock (alice pushes, "admin" administers) with webhook endpoints pointing at a real
/// <see cref="WebhookReceiver"/>. The server writes events but does not send them by itself (<c>Webhooks:Deliver</c>
/// false): each test runs dispatcher passes with <see cref="PassAsync"/>, so what is due is decided by the fake clock.
/// </summary>
public sealed class WebhookHarness : IAsyncDisposable
{
    public const string Secret = "receiver-secret";

    /// <summary>Stands for the receiver's URL in setting values (it is known only once the receiver listens).</summary>
    public const string ReceiverUrl = "{receiver}";

    private WebhookHarness(AuditHarness audit, WebhookReceiver receiver)
    {
        Audit = audit;
        Receiver = receiver;
    }

    public AuditHarness Audit { get; }

    public WebhookReceiver Receiver { get; }

    public Infrastructure.Registry Registry => Audit.Registry;

    public IEventOutbox Outbox => Audit.Server.Services.GetRequiredService<IEventOutbox>();

    public WebhookDispatcher Dispatcher => Audit.Server.Services.GetRequiredService<WebhookDispatcher>();

    /// <summary>Starts with one endpoint "ci" at the receiver (Distribution format, signed) unless <paramref name="settings"/> says otherwise.</summary>
    public static async Task<WebhookHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var receiver = await WebhookReceiver.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Webhooks:Deliver"] = "false",
            ["Webhooks:Endpoints:0:Name"] = "ci",
            ["Webhooks:Endpoints:0:Url"] = receiver.Url.ToString(),
            ["Webhooks:Endpoints:0:Secret"] = Secret,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value?.Replace(ReceiverUrl, receiver.Url.ToString().TrimEnd('/'), StringComparison.Ordinal);
        }

        return new WebhookHarness(await AuditHarness.StartAsync("basic", all), receiver);
    }

    /// <summary>One dispatcher pass at the fake clock's now; how many deliveries it attempted.</summary>
    public Task<int> PassAsync() => Dispatcher.RunOnceAsync(CancellationToken.None);

    /// <summary>Passes until one attempts nothing (every line's due head sent); how many deliveries were attempted in all.</summary>
    public async Task<int> DrainAsync()
    {
        var total = 0;
        for (var pass = 0; pass < 100; pass++)
        {
            var attempted = await PassAsync();
            if (attempted == 0)
            {
                return total;
            }

            total += attempted;
        }

        throw new InvalidOperationException("the outbox did not drain in 100 passes");
    }

    /// <summary>The events of every accepted delivery, parsed, in arrival order (Distribution's envelope lists one or more per request).</summary>
    public List<JsonElement> AcceptedEvents(string? path = null) =>
        Receiver.Accepted.Where(r => path is null || r.Path == path).SelectMany(r => Parse(r.Body).GetProperty("events").EnumerateArray()).ToList();

    public static JsonElement Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The documented check: HMAC-SHA256 keyed with the secret over "&lt;t&gt;." and the body, hex, in <c>v1</c>.</summary>
    public static bool SignatureIsValid(ReceivedWebhook delivery, string secret)
    {
        var parts = delivery.Headers["Wharf-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var signed = Encoding.ASCII.GetBytes(parts["t"] + ".").Concat(delivery.Body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return parts["v1"] == expected;
    }

    /// <summary>GET /api/events as the admin; the deliveries listed.</summary>
    public async Task<List<JsonElement>> ListAsync(string query = "")
    {
        using var response = await Audit.SendAsync(HttpMethod.Get, "/api/events" + query, AuditHarness.Admin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return Parse(Encoding.UTF8.GetBytes(body)).GetProperty("deliveries").EnumerateArray().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Audit.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
