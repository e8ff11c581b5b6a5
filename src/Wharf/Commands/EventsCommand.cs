using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Wharf.Core.Events;
using Wharf.Http.Middleware;
using Wharf.Http.Webhooks;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf events list [--state] [--endpoint] [--repository] [-n] [--json]</c> and <c>wharf events replay (--event SEQ | --endpoint NAME | --all)</c>:
/// the webhook outbox, read and replayed on the store directly (safe beside running servers).
/// </summary>
public static class EventsCommand
{
    public static Command Create() => new("events", "Webhook deliveries: list them (dead ones by default with --state dead), or put dead ones back in line")
    {
        List(), Replay(),
    };

    private static Command List()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var state = new Option<string?>("--state") { Description = "Only deliveries in this state: pending, done or dead" };
        state.AcceptOnlyFromAmong(DeliveryStates.Pending, DeliveryStates.Done, DeliveryStates.Dead);
        var endpoint = new Option<string?>("--endpoint") { Description = "Only deliveries to this endpoint (its Name)" };
        var repository = new Option<string?>("--repository") { Description = "Only events of this repository" };
        var limit = new Option<int>("-n", "--limit") { Description = "At most this many deliveries (default 100)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "The same JSON as GET /api/events" };
        var command = new Command("list", "List webhook deliveries, newest event first: seq, time, endpoint, state, attempts, action, repository, tag or digest, last error")
        {
            state, endpoint, repository, limit, json, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var count = parse.GetValue(limit);
            if (count < 1)
            {
                return UserCommand.Fail("-n must be 1 or more");
            }

            await using var app = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var query = new EventQuery(parse.GetValue(state), parse.GetValue(endpoint), parse.GetValue(repository), null, count);
            var page = await app.GetRequiredService<IEventOutbox>().ListAsync(query, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonListOutput.WriteAsync("deliveries", page.Items, EventsApi.Write, cancellationToken);
                return 0;
            }

            foreach (var d in page.Items)
            {
                string[] fields =
                [
                    d.EventId.ToString(CultureInfo.InvariantCulture), d.Event.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    d.Endpoint, d.State, d.Attempts.ToString(CultureInfo.InvariantCulture), d.Event.Action, d.Event.Repository,
                    d.Event.Tag ?? d.Event.Digest ?? "-", d.LastError ?? "-",
                ];
                Console.WriteLine(string.Join('\t', fields.Select(LogText.Escape)));
            }

            return 0;
        }));
        return command;
    }

    private static Command Replay()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var eventSeq = new Option<long?>("--event") { Description = "Replay this event's dead deliveries (its seq, from `wharf events list`)" };
        var endpoint = new Option<string?>("--endpoint") { Description = "Replay the dead deliveries to this endpoint" };
        var all = new Option<bool>("--all") { Description = "Replay every dead delivery" };
        var command = new Command("replay", "Put dead webhook deliveries back in line, due now; running servers send them at their next poll")
        {
            eventSeq, endpoint, all, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            if (parse.GetValue(eventSeq) is null && parse.GetValue(endpoint) is null && !parse.GetValue(all))
            {
                return UserCommand.Fail("say which dead deliveries to replay: --event SEQ, --endpoint NAME, or --all");
            }

            await using var app = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var replayed = await app.GetRequiredService<IEventOutbox>()
                .ReplayAsync(parse.GetValue(eventSeq), parse.GetValue(endpoint), TimeProvider.System.GetUtcNow(), cancellationToken);
            Console.WriteLine($"{replayed} dead deliver{(replayed == 1 ? "y" : "ies")} back in line");
            return 0;
        }));
        return command;
    }
}
