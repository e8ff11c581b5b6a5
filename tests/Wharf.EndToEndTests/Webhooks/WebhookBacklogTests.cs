using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// A backlog in one repository's line (events written while nobody sent them) is sent as fast as the receiver takes it,
/// not one event per poll: each delivered event makes the next one of its line due at once.
/// </summary>
public sealed class WebhookBacklogTests : IDisposable
{
    private readonly TempDirectory _work = new("wharf-e2e-hook-backlog");

    [Fact]
    public async Task A_backlog_in_one_repository_is_sent_at_once_when_a_delivering_instance_starts_not_one_event_per_poll()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var data = _work.CreateSubdirectory("data");
        var pushes = new List<PushedManifest>();
        await using (var writer = await WharfTestServer.StartAsync(WebhookSettings.For(receiver.Url, ("Webhooks:Deliver", "false")), dataDirectory: data))
        {
            for (var i = 0; i < 5; i++)
            {
                var image = await RawPush.ImageAsync(writer.Client, "hooks/backlog", $"t{i}", layerSize: 200);
                pushes.Add(new PushedManifest("hooks/backlog", image.Tag, image.Digest));
            }
        }

        Assert.Empty(receiver.Received);

        // An hour between polls: only the first pass at start and the passes that follow deliveries can send anything here.
        // One event per request, so that every event but the first is sent by a pass that a delivery's end started.
        await using var sender = await WharfTestServer.StartAsync(
            WebhookSettings.For(receiver.Url, ("Webhooks:PollInterval", "01:00:00"), ("Webhooks:Endpoints:0:MaxBatch", "1")), dataDirectory: data);
        await receiver.WaitForAcceptedAsync(pushes.Count, TimeSpan.FromSeconds(15));

        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: true);
    }

    public void Dispose() => _work.Dispose();
}
