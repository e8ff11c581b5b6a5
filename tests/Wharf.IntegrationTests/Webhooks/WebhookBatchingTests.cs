using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>
/// The dispatcher's own loop on the harness's fake clock: an event that finds it idle goes out at once; events that come
/// while it is busy wait up to <c>Webhooks:BatchDelay</c> and then go out together, in order.
/// </summary>
public sealed class WebhookBatchingTests
{
    [Fact]
    public async Task Events_committed_while_the_dispatcher_is_busy_go_out_together_after_the_batch_delay()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?> { ["Webhooks:BatchDelay"] = "00:00:00.200" });
        await hooks.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await hooks.Registry.PushImageAsync("team/app", "v0");
            // Idle: sent at once, without the clock moving.
            await hooks.Receiver.WaitForAcceptedEventsAsync(1, TimeSpan.FromSeconds(20));

            for (var i = 1; i <= 3; i++)
            {
                await hooks.Registry.PushImageAsync("team/app", $"v{i}");
            }

            // Its delivery did not fill a batch: what came after is claimed once the delay has passed on the clock.
            for (var step = 0; step < 200 && Events(hooks).Count < 4; step++)
            {
                hooks.Audit.Time.Advance(TimeSpan.FromMilliseconds(200));
                try
                {
                    await hooks.Receiver.WaitForAcceptedEventsAsync(4, TimeSpan.FromMilliseconds(100));
                }
                catch (TimeoutException)
                {
                }
            }

            Assert.Equal(["v0", "v1", "v2", "v3"], Events(hooks).Select(e => e.GetProperty("target").GetProperty("tag").GetString()));
            Assert.Equal([1, 3], hooks.Receiver.Accepted.Select(r => WebhookHarness.Parse(r.Body).GetProperty("events").GetArrayLength()));
        }
        finally
        {
            await hooks.Dispatcher.StopAsync(CancellationToken.None);
        }
    }

    private static List<JsonElement> Events(WebhookHarness hooks) => hooks.AcceptedEvents();
}
