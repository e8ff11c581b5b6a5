using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Events;
using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>Two instances sharing PostgreSQL (and S3) both deliver from the one outbox, and never the same event twice in the normal case.</summary>
[Trait("Category", "ScaleOut")]
public sealed class WebhookTwoInstanceTests
{
    [ScaleOutFact]
    public async Task Two_delivering_instances_send_each_of_twenty_events_exactly_once_in_order_per_repository()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = WebhookSettings.For(receiver.Url, ("Webhooks:Deliver", "true"));
        foreach (var (key, value) in backend.Settings)
        {
            settings[key] = value;
        }

        await using var a = await WharfTestServer.StartAsync(settings);
        await using var b = await WharfTestServer.StartAsync(settings);
        // Four repositories pushed in parallel, five images each, each repository's pushes alternating between the
        // instances: both dispatchers are woken often and look for the same heads.
        var lines = await Task.WhenAll(Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var line = new List<PushedManifest>();
            for (var i = 0; i < 5; i++)
            {
                var via = (r + i) % 2 == 0 ? a : b;
                var image = await RawPush.ImageAsync(via.Client, $"hooks/pair-{r}", $"t{i}", layerSize: 200);
                line.Add(new PushedManifest($"hooks/pair-{r}", image.Tag, image.Digest));
            }

            return line;
        })));
        var pushes = lines.SelectMany(l => l).ToList();

        var digests = pushes.Select(p => p.Digest).ToList();
        await receiver.WaitForAsync(all => digests.All(Notification.AcceptedPushDigests(all, WebhookSettings.Secret).Contains), TimeSpan.FromSeconds(30), "the events of all 20 pushes");
        // Once every delivery is recorded done, nothing more can be sent: the receiver's count is final.
        await OutboxState.WaitUntilAsync(a, rows => rows.Count == 20 && rows.All(d => d.State == DeliveryStates.Done), TimeSpan.FromSeconds(10), "every delivery done");

        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: true);
        Assert.Equal(20, receiver.Received.Sum(r => Notification.Count(r.Body)));
        Assert.Equal((0L, 0L), await b.Services.GetRequiredService<IEventOutbox>().CountAsync(CancellationToken.None));
    }
}
