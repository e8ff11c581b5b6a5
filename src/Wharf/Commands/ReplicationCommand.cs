using System.CommandLine;
using System.Globalization;
using Wharf.Core.Replication;
using Wharf.Http.Middleware;
using Wharf.Http.Replication;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf replication list [--state] [--rule] [-n] [--json]</c>, <c>wharf replication status [--json]</c> and
/// <c>wharf replication run RULE</c>: replication jobs, read and written on the store directly (safe beside running
/// servers, whose workers copy what <c>run</c> writes at their next poll).
/// </summary>
public static class ReplicationCommand
{
    public static Command Create() => new("replication", "Replication jobs: list them, each rule's status, or run a push rule over every tag it matches")
    {
        List(), Status(), Run(),
    };

    private static Command List()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var state = new Option<string?>("--state") { Description = "Only jobs in this state: pending, done or dead" };
        state.AcceptOnlyFromAmong(ReplicationJobStates.Pending, ReplicationJobStates.Done, ReplicationJobStates.Dead);
        var rule = new Option<string?>("--rule") { Description = "Only jobs of this rule (its Name)" };
        var limit = new Option<int>("-n", "--limit") { Description = "At most this many jobs (default 100)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "The same JSON as the jobs of GET /api/replication" };
        var command = new Command("list", "List replication jobs, newest first: id, created, rule, state, attempts, repository:reference, digest, last error")
        {
            state, rule, limit, json, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var count = parse.GetValue(limit);
            if (count < 1)
            {
                return UserCommand.Fail("-n must be 1 or more");
            }

            await using var app = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var jobs = await app.GetRequiredService<IReplicationJobs>().ListAsync(parse.GetValue(state), parse.GetValue(rule), count, cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonListOutput.WriteAsync("jobs", jobs, ReplicationApi.WriteJob, cancellationToken);
                return 0;
            }

            foreach (var j in jobs)
            {
                string[] fields =
                [
                    j.Id.ToString(CultureInfo.InvariantCulture), j.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    j.Rule, j.State, j.Attempts.ToString(CultureInfo.InvariantCulture), $"{j.Repository}:{j.Reference}", j.Digest, j.LastError ?? "-",
                ];
                Console.WriteLine(string.Join('\t', fields.Select(LogText.Escape)));
            }

            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var json = new Option<bool>("--json") { Description = "The same JSON as the rules of GET /api/replication" };
        var command = new Command("status",
            "Each rule: name, direction, registry, pending, done and dead jobs, newest error; a pull rule also its last pass (time, jobs written, error) and the next pass's time")
        {
            json, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            await using var app = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var store = app.GetRequiredService<IReplicationJobs>();
            var rules = ReplicationApi.Rules(
                app.GetRequiredService<ReplicationOptions>(), await store.StatusAsync(cancellationToken), await store.PassesAsync(cancellationToken)).ToList();
            if (parse.GetValue(json))
            {
                await JsonListOutput.WriteAsync("rules", rules, (writer, r) => ReplicationApi.WriteRule(writer, r.Options, r.Status, r.Pass), cancellationToken);
                return 0;
            }

            foreach (var (options, s, pass) in rules)
            {
                List<string> fields =
                [
                    s.Rule, options?.Direction ?? "(not configured)", options?.Registry ?? "-", s.Pending.ToString(CultureInfo.InvariantCulture),
                    s.Done.ToString(CultureInfo.InvariantCulture), s.Dead.ToString(CultureInfo.InvariantCulture), s.LastError ?? "-",
                ];
                if (options?.Direction == ReplicationDirections.Pull)
                {
                    // A pull rule's last listing pass: when, how many jobs it wrote, its error; and when the next is due.
                    fields.AddRange(pass?.LastPassAt is { } at
                        ? [Time(at), pass.LastJobs.ToString(CultureInfo.InvariantCulture), pass.LastError ?? "-", Time(pass.NextPassAt)]
                        : ["-", "-", "-", pass is null ? "-" : Time(pass.NextPassAt)]);
                }

                Console.WriteLine(string.Join('\t', fields.Select(LogText.Escape)));
            }

            return 0;
        }));
        return command;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Command Run()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var rule = new Argument<string>("RULE") { Description = "The rule's Name" };
        var command = new Command("run", "Push rule: write a job, due now, for every tag it matches; pull rule: make its next listing pass due now. Running servers do the work")
        {
            rule, data, config,
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            await using var app = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var run = await app.GetRequiredService<ReplicationResync>().RunAsync(parse.GetValue(rule)!, cancellationToken);
            if (!run.IsOk)
            {
                return UserCommand.Fail(run.Error!.EffectiveMessage);
            }

            var pull = app.GetRequiredService<ReplicationOptions>().Rules.Any(r => r.Name == parse.GetValue(rule) && r.Direction == ReplicationDirections.Pull);
            Console.WriteLine(pull
                ? $"the next pass of {parse.GetValue(rule)} is due now; running servers list its registry at their next poll"
                : $"{run.Value} job{(run.Value == 1 ? "" : "s")} written for {parse.GetValue(rule)}");
            return 0;
        }));
        return command;
    }
}
