using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Events;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>What an in-process server's webhook outbox holds, read through its own <see cref="IEventOutbox"/>.</summary>
internal static class OutboxState
{
    /// <summary>Every delivery to the test endpoint (up to 1000), newest event first.</summary>
    public static async Task<IReadOnlyList<EventDelivery>> DeliveriesAsync(WharfTestServer server, string? state = null)
    {
        var outbox = server.Services.GetRequiredService<IEventOutbox>();
        var page = await outbox.ListAsync(new EventQuery(State: state, Endpoint: WebhookSettings.Endpoint, Limit: 1000), CancellationToken.None);
        return page.Items;
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds for the outbox, looking again every 20 ms: the state is in the
    /// database, which signals nobody, so this is how a test sees it change.
    /// </summary>
    public static async Task WaitUntilAsync(WharfTestServer server, Func<IReadOnlyList<EventDelivery>, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(await DeliveriesAsync(server)))
        {
            if (clock.Elapsed > timeout)
            {
                var rows = string.Join("\n", (await DeliveriesAsync(server)).Select(d => $"{d.EventId} {d.Event.Repository}:{d.Event.Tag} {d.State} attempts {d.Attempts} ({d.LastError})"));
                throw new TimeoutException($"the outbox did not reach {what} within {timeout.TotalSeconds} s:\n{rows}");
            }

            await Task.Delay(20);
        }
    }
}
