using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>A receiver that is down for a while (connections dropped) gets everything once it is back, in order per repository.</summary>
public sealed class WebhookOutageTests
{
    [Fact]
    public async Task A_receiver_down_during_ten_pushes_gets_every_event_in_order_per_repository_when_it_is_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        await using var server = await WharfTestServer.StartAsync(WebhookSettings.For(receiver.Url));
        string[] repositories = ["hooks/outage-a", "hooks/outage-b"];
        var pushes = new List<PushedManifest>();
        for (var i = 0; i < 10; i++)
        {
            var repository = repositories[i % repositories.Length];
            var image = await RawPush.ImageAsync(server.Client, repository, $"t{i:D2}", layerSize: 200);
            pushes.Add(new PushedManifest(repository, image.Tag, image.Digest));
        }

        // Down means down: the head of each repository's line has been tried, and failed, more than once.
        await OutboxState.WaitUntilAsync(
            server,
            rows => repositories.All(r => rows.Any(d => d.Event.Repository == r && d.Attempts >= 2 && d.LastError is not null)),
            TimeSpan.FromSeconds(20),
            "two failed attempts in each repository");
        Assert.Empty(receiver.Received);
        Assert.All(await OutboxState.DeliveriesAsync(server), d => Assert.Equal("pending", d.State));

        receiver.Down = false;

        var digests = pushes.Select(p => p.Digest).ToList();
        await receiver.WaitForAsync(all => digests.All(Notification.AcceptedPushDigests(all, WebhookSettings.Secret).Contains), TimeSpan.FromSeconds(20), "the events of all 10 pushes");
        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: true);
        await OutboxState.WaitUntilAsync(server, rows => rows.Count == 10 && rows.All(d => d.State == "done"), TimeSpan.FromSeconds(10), "every delivery done");
    }
}
