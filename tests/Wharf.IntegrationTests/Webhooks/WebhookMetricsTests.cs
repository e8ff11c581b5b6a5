using Wharf.IntegrationTests.Metrics;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>The webhook instruments on <c>/metrics</c>, alone in the process (see <see cref="MetricsCollection"/>).</summary>
[Collection(MetricsCollection.Name)]
public sealed class WebhookMetricsTests
{
    [Fact]
    public async Task Deliveries_failures_dead_letters_and_queue_depth_are_metrics()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Webhooks:MinBackoff"] = "00:00:01",
            ["Webhooks:MaxBackoff"] = "00:00:04",
        });
        hooks.Receiver.Status = 502;
        await hooks.Registry.PushImageAsync("team/app", "v1");
        await hooks.Registry.PushImageAsync("team/lib", "v1");
        await hooks.DrainAsync();
        await hooks.Dispatcher.HousekeepAsync(CancellationToken.None);
        var failing = await ScrapeAsync(hooks);
        Assert.Equal(2, failing.Sum("wharf_webhooks_deliveries_total", "endpoint=ci", "result=failure"));
        Assert.Equal(2, failing.Sum("wharf_webhooks_queue_depth", "state=pending"));

        hooks.Receiver.Status = 200;
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(5));
        await hooks.DrainAsync();
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(15)); // the gauge is recounted at most every 15 s
        await hooks.Dispatcher.HousekeepAsync(CancellationToken.None);
        var delivered = await ScrapeAsync(hooks);
        Assert.Equal(2, delivered.Sum("wharf_webhooks_deliveries_total", "endpoint=ci", "result=success"));
        Assert.Equal(0, delivered.Sum("wharf_webhooks_queue_depth", "state=pending"));
        Assert.Equal(0, delivered.Sum("wharf_webhooks_deliveries_total", "result=dead"));
    }

    private static async Task<Wharf.TestKit.Prometheus.PrometheusText> ScrapeAsync(WebhookHarness hooks)
    {
        using var client = new HttpClient { BaseAddress = hooks.Audit.Server.BaseAddress };
        return Wharf.TestKit.Prometheus.PrometheusText.Parse(await client.GetStringAsync("/metrics"));
    }
}
