using System.Diagnostics.Metrics;
using Wharf.Core.Telemetry;

namespace Wharf.Http.Webhooks;

/// <summary>Webhook instruments on Wharf's meter: deliveries by endpoint and result, and the outbox's depth.</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;
    private long _pending;
    private long _dead;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WharfMetrics.MeterName);
        _deliveries = meter.CreateCounter<long>("wharf.webhooks.deliveries", "{delivery}", "Webhook event deliveries, by endpoint and result: success (per event), failure (retried) and dead (per request's first event).");
        meter.CreateObservableGauge("wharf.webhooks.queue_depth", () => new[]
        {
            new Measurement<long>(Volatile.Read(ref _pending), new KeyValuePair<string, object?>("state", "pending")),
            new Measurement<long>(Volatile.Read(ref _dead), new KeyValuePair<string, object?>("state", "dead")),
        }, "{delivery}", "Webhook deliveries waiting in the outbox (pending) and given up on (dead), as last counted.");
    }

    /// <summary>Counts <paramref name="events"/> event deliveries with this result (one request may carry several events).</summary>
    public void Delivery(string endpoint, string result, int events) =>
        _deliveries.Add(events, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("result", result));

    public void QueueDepth(long pending, long dead)
    {
        Volatile.Write(ref _pending, pending);
        Volatile.Write(ref _dead, dead);
    }
}
