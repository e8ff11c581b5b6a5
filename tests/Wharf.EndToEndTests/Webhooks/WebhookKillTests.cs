using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// The outbox survives SIGKILL: a real <c>wharf serve</c> takes pushes while the receiver is down, is killed with the
/// events still pending, and a restart on the same data directory delivers every one of them, in order per repository.
/// Killed between a receiver's answer and the record of it, the event is sent again under the same id (at least once).
/// Size: WHARF_TEST_WEBHOOK_KILL_PUSHES (20).
/// </summary>
public sealed class WebhookKillTests : IDisposable
{
    private readonly TempDirectory _work = new("wharf-e2e-hook-kill");

    [Fact]
    public async Task Events_pending_at_a_sigkill_are_all_delivered_after_the_restart_in_order_per_repository()
    {
        var count = WebhookSettings.Size("WHARF_TEST_WEBHOOK_KILL_PUSHES", 20);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        // A delivery in flight at the kill keeps its lease: a short one, so the restarted server takes it over soon.
        var environment = WebhookSettings.AsEnvironment(WebhookSettings.For(receiver.Url, ("Webhooks:Lease", "00:00:02"), ("Webhooks:Endpoints:0:Timeout", "00:00:01"), ("Webhooks:Endpoints:0:MaxBatch", "1")));
        var data = _work.CreateSubdirectory("data");
        string[] repositories = ["hooks/kill-a", "hooks/kill-b"];
        var pushes = new List<PushedManifest>();

        await using (var first = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data], environment))
        {
            using var http = new HttpClient { BaseAddress = await first.WaitUntilListeningAsync() };
            for (var i = 0; i < count; i++)
            {
                var repository = repositories[i % repositories.Length];
                var image = await RawPush.ImageAsync(http, repository, $"t{i:D3}", layerSize: 200);
                pushes.Add(new PushedManifest(repository, image.Tag, image.Digest));
            }

            await first.KillAsync();
            Assert.Empty(receiver.Received);
        }

        receiver.Down = false;
        await using var second = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data], environment);
        await second.WaitUntilListeningAsync();
        var digests = pushes.Select(p => p.Digest).ToList();
        try
        {
            await receiver.WaitForAsync(all => digests.All(Notification.AcceptedPushDigests(all, WebhookSettings.Secret).Contains), TimeSpan.FromSeconds(30 + (count / 10)), $"the events of all {count} pushes");
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message}\n--- restarted wharf ---\n{second.Output}");
        }

        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: false);
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_sigkill_after_the_receiver_took_an_event_but_before_wharf_recorded_it_sends_it_again_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var environment = WebhookSettings.AsEnvironment(WebhookSettings.For(receiver.Url, ("Webhooks:Lease", "00:00:02"), ("Webhooks:Endpoints:0:Timeout", "00:00:01"), ("Webhooks:Endpoints:0:MaxBatch", "1")));
        var data = _work.CreateSubdirectory("data");
        var pushes = new List<PushedManifest>();
        var killedAt = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (var first = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data], environment))
        {
            using var http = new HttpClient { BaseAddress = await first.WaitUntilListeningAsync() };
            for (var i = 0; i < 6; i++)
            {
                var image = await RawPush.ImageAsync(http, "hooks/resend", $"t{i}", layerSize: 200);
                pushes.Add(new PushedManifest("hooks/resend", image.Tag, image.Digest));
            }

            // The third event is taken (recorded by the receiver as answered 200), but wharf dies before it reads the answer.
            var deliveries = 0;
            receiver.Answer = body =>
            {
                if (Interlocked.Increment(ref deliveries) == 3)
                {
                    first.KillNowAsync().GetAwaiter().GetResult();
                    killedAt.TrySetResult(Notification.EventId(body));
                }

                return 200;
            };
            receiver.Down = false;
            await killedAt.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        receiver.Answer = null;
        await using var second = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data], environment);
        await second.WaitUntilListeningAsync();
        var digests = pushes.Select(p => p.Digest).ToList();
        await receiver.WaitForAsync(all => digests.All(Notification.AcceptedPushDigests(all, WebhookSettings.Secret).Contains), TimeSpan.FromSeconds(30), "the events of all 6 pushes");

        var accepted = receiver.Accepted.SelectMany(r => Notification.ReadAll(r, WebhookSettings.Secret)).ToList();
        DeliveryAssert.EveryPushArrivedInOrder(pushes, accepted, exactlyOnce: false);
        var killed = await killedAt.Task;
        // Taken before the kill, and again after the restart (once more if a send timed out on a loaded machine).
        Assert.True(accepted.Count(n => n.Id == killed) >= 2, $"event {killed}, taken when wharf was killed, was not sent again");
        Assert.Equal("t2", accepted.First(n => n.Id == killed).Tag);
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(20)));
    }

    public void Dispose() => _work.Dispose();
}
