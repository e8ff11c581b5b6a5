using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>One endpoint that hangs holds up only its own deliveries: another endpoint gets the same events at once.</summary>
public sealed class WebhookSlowEndpointTests
{
    [Fact]
    public async Task An_endpoint_that_never_answers_does_not_hold_up_the_deliveries_to_another()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var silent = new SilentEndpoint();
        await using var server = await WharfTestServer.StartAsync(WebhookSettings.For(
            receiver.Url,
            ("Webhooks:Endpoints:1:Name", "silent"),
            ("Webhooks:Endpoints:1:Url", silent.Url.ToString()),
            ("Webhooks:Endpoints:1:Timeout", "00:00:05")));
        var pushes = new List<PushedManifest>();
        for (var i = 0; i < 5; i++)
        {
            var image = await RawPush.ImageAsync(server.Client, "hooks/slow", $"t{i}", layerSize: 200);
            pushes.Add(new PushedManifest("hooks/slow", image.Tag, image.Digest));
        }

        // The silent endpoint's first delivery waits out its 5 s timeout; the receiver's five must not wait for it.
        await receiver.WaitForAcceptedEventsAsync(pushes.Count, TimeSpan.FromSeconds(3));

        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: true);
        Assert.True(silent.Connections >= 1, "the silent endpoint was never tried");
        // Its connections closed, the send still waiting fails at once and the server stops without waiting out the timeout.
        silent.Dispose();
    }
}
