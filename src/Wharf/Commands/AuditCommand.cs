using System.CommandLine;
using System.Text.Json;
using Wharf.Core.Audit;
using Wharf.Http.Audit;
using Wharf.Http.Middleware;

namespace Wharf.Commands;

/// <summary><c>wharf audit [--actor] [--action] [--repository] [--since] [--until] [-n] [--json]</c>: the audit log, newest first.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var actor = new Option<string?>("--actor") { Description = "Only events of this user, robot (robot.<name>) or CLI account" };
        var action = new Option<string?>("--action") { Description = "Only this action: manifest.push, manifest.delete, tag.delete, repository.delete, login.success, login.failure, token.create, token.revoke, user.add, user.remove, user.password" };
        var repository = new Option<string?>("--repository") { Description = "Only events on this repository" };
        var since = new Option<string?>("--since") { Description = "Only events at or after this instant (2026-12-01T00:00:00Z) or this long ago (24h, 7d)" };
        var until = new Option<string?>("--until") { Description = "Only events before this instant or this long ago" };
        var limit = new Option<int>("-n", "--limit") { Description = "At most this many events (default 100)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "The same JSON as GET /api/audit" };
        var command = new Command("audit", "Show the audit log (pushes, deletes, logins, token and user changes), newest first")
        {
            actor, action, repository, since, until, limit, json, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var now = TimeProvider.System.GetUtcNow();
            DateTimeOffset? from = null, to = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                if (!AuditTime.TryParse(sinceText, now, out var at))
                {
                    return UserCommand.Fail($"--since '{sinceText}' is neither an instant (2026-12-01T00:00:00Z) nor a duration (24h, 7d)");
                }

                from = at;
            }

            if (parse.GetValue(until) is { } untilText)
            {
                if (!AuditTime.TryParse(untilText, now, out var at))
                {
                    return UserCommand.Fail($"--until '{untilText}' is neither an instant (2026-12-01T00:00:00Z) nor a duration (24h, 7d)");
                }

                to = at;
            }

            var count = parse.GetValue(limit);
            if (count < 1)
            {
                return UserCommand.Fail("-n must be 1 or more");
            }

            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var query = new AuditQuery(parse.GetValue(actor), parse.GetValue(action), parse.GetValue(repository), from, to, null, count);
            var page = await services.GetRequiredService<IAuditStore>().QueryAsync(query, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonListOutput.WriteAsync("events", page.Items, AuditJson.Write, cancellationToken);
                return 0;
            }

            foreach (var entry in page.Items)
            {
                // Names offered at a failed login are anyone's text: escaped, so they cannot forge or break a line.
                string[] fields =
                [
                    AuditJson.Time(entry.At), entry.ActorKind, entry.Actor.Length == 0 ? "-" : entry.Actor, entry.ClientAddress ?? "-", entry.Action,
                    entry.Repository ?? "-", entry.Target ?? "-", entry.Detail ?? "-", entry.RequestId ?? "-",
                ];
                Console.WriteLine(string.Join('\t', fields.Select(LogText.Escape)));
            }

            return 0;
        }));
        return command;
    }
}
