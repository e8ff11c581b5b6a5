using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Errors;
using Wharf.Core.Replication;
using Wharf.Http.Api;
using Wharf.Http.Results;

namespace Wharf.Http.Replication;

/// <summary>
/// Replication for administrators. <c>GET /api/replication?state=&amp;rule=&amp;n=</c>: the configured rules with their jobs
/// counted by state and their newest error (pull rules with their last listing pass too), and the jobs, newest first
/// (<c>n</c>, 1–1000, 100 by default). With <c>repository=R</c>, only R's jobs, for anyone who may pull R (the
/// repository page of the UI shows them). <c>POST /api/replication/{rule}/run</c>: a job, due now, for every tag the
/// push rule matches; for a pull rule, its next listing pass due now.
/// </summary>
public static class ReplicationApi
{
    public const int MaxPageSize = 1000;

    private static readonly string[] States = [ReplicationJobStates.Pending, ReplicationJobStates.Done, ReplicationJobStates.Dead];

    public static IEndpointRouteBuilder MapWharfReplicationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/replication", async context => await (await ListAsync(context)).ExecuteAsync(context));
        endpoints.MapPost("/api/replication/{rule}/run", async context => await (await RunAsync(context)).ExecuteAsync(context));
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext context)
    {
        var request = context.Request;
        var repository = ApiQuery.Filter(request, "repository");
        var refusal = repository is null
            ? ApiAccess.AdminRefusal(context, "only administrators may read replication jobs of every repository")
            : ApiAccess.Refusal(context, repository, Wharf.Auth.AccessActions.Pull);
        if (refusal is not null)
        {
            return refusal;
        }

        var size = ApiQuery.Integer(request, "n", 100, 1, MaxPageSize);
        if (size.Error is { } sizeError)
        {
            return new ErrorResult(sizeError);
        }

        var state = ApiQuery.Filter(request, "state");
        if (state is not null && !States.Contains(state))
        {
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "state must be pending, done or dead"));
        }

        var services = context.RequestServices;
        var store = services.GetRequiredService<IReplicationJobs>();
        var jobs = await store.ListAsync(state, ApiQuery.Filter(request, "rule"), size.Value, context.RequestAborted, repository);
        var rules = repository is null
            ? Rules(services.GetRequiredService<ReplicationOptions>(), await store.StatusAsync(context.RequestAborted), await store.PassesAsync(context.RequestAborted)).ToList()
            : null;
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            if (rules is not null)
            {
                json.WriteStartArray("rules");
                foreach (var rule in rules)
                {
                    WriteRule(json, rule.Options, rule.Status, rule.Pass);
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("jobs");
            foreach (var job in jobs)
            {
                WriteJob(json, job);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> RunAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may run replication rules") is { } refusal)
        {
            return refusal;
        }

        var rule = (string)context.GetRouteValue("rule")!;
        var run = await context.RequestServices.GetRequiredService<ReplicationResync>().RunAsync(rule, context.RequestAborted);
        if (!run.IsOk)
        {
            return new ErrorResult(run.Error!);
        }

        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteNumber("jobs", run.Value);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// Every configured rule with its status (and, for a pull rule that has listed, its last pass), then any rule that has
    /// jobs but is no longer configured.
    /// </summary>
    public static IEnumerable<(ReplicationRuleOptions? Options, ReplicationRuleStatus Status, ReplicationPass? Pass)> Rules(
        ReplicationOptions options, IReadOnlyList<ReplicationRuleStatus> status, IReadOnlyList<ReplicationPass> passes)
    {
        var byName = status.ToDictionary(s => s.Rule, StringComparer.Ordinal);
        var passByName = passes.ToDictionary(p => p.Rule, StringComparer.Ordinal);
        foreach (var rule in options.Rules)
        {
            var pass = rule.Direction == ReplicationDirections.Pull ? passByName.GetValueOrDefault(rule.Name) : null;
            yield return (rule, byName.GetValueOrDefault(rule.Name) ?? new ReplicationRuleStatus(rule.Name, 0, 0, 0, null), pass);
        }

        foreach (var orphan in status.Where(s => options.Rules.All(r => r.Name != s.Rule)))
        {
            yield return (null, orphan, null);
        }
    }

    /// <summary>One rule as the API and <c>wharf replication status --json</c> show it.</summary>
    public static void WriteRule(Utf8JsonWriter json, ReplicationRuleOptions? rule, ReplicationRuleStatus status, ReplicationPass? pass)
    {
        json.WriteStartObject();
        json.WriteString("name", status.Rule);
        json.WriteBoolean("configured", rule is not null);
        if (rule is not null)
        {
            json.WriteString("direction", rule.Direction);
            json.WriteString("registry", rule.Registry);
            if (rule.Direction == ReplicationDirections.Pull)
            {
                json.WriteString("interval", rule.Interval.ToString("c", CultureInfo.InvariantCulture));
                WritePass(json, pass);
            }
        }

        json.WriteNumber("pending", status.Pending);
        json.WriteNumber("done", status.Done);
        json.WriteNumber("dead", status.Dead);
        if (status.LastError is { } error)
        {
            json.WriteString("lastError", error);
        }

        json.WriteEndObject();
    }

    /// <summary>A pull rule's last listing pass (null before the first) and when the next is due.</summary>
    private static void WritePass(Utf8JsonWriter json, ReplicationPass? pass)
    {
        if (pass?.LastPassAt is not { } at)
        {
            json.WriteNull("lastPass");
        }
        else
        {
            json.WriteStartObject("lastPass");
            json.WriteString("at", Time(at));
            json.WriteNumber("jobs", pass.LastJobs);
            if (pass.LastError is { } error)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        }

        if (pass is not null)
        {
            json.WriteString("nextPassAt", Time(pass.NextPassAt));
        }
    }

    /// <summary>One job as the API and <c>wharf replication list --json</c> show it.</summary>
    public static void WriteJob(Utf8JsonWriter json, ReplicationJob job)
    {
        json.WriteStartObject();
        json.WriteNumber("id", job.Id);
        json.WriteString("rule", job.Rule);
        json.WriteString("repository", job.Repository);
        json.WriteString("reference", job.Reference);
        json.WriteString("digest", job.Digest);
        json.WriteString("state", job.State);
        json.WriteNumber("attempts", job.Attempts);
        json.WriteString("nextAttemptAt", Time(job.NextAttemptAt));
        json.WriteString("createdAt", Time(job.CreatedAt));
        if (job.LastError is { } error)
        {
            json.WriteString("lastError", error);
        }

        if (job.State == ReplicationJobStates.Pending && job.LeaseUntil is { } lease)
        {
            json.WriteString("leaseUntil", Time(lease)); // an instance holds it: being copied, or until its lease runs out
        }

        json.WriteEndObject();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
