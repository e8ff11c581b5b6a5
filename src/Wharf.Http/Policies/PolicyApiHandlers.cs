using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Http.Api;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Policies;

/// <summary>
/// <c>POST /api/retention/run?dryRun=true|false</c> (admins only; everyone with auth off) and
/// <c>GET /api/namespaces/{namespace}</c> (usage and quota, for admins and whoever may pull a repository of the namespace).
/// </summary>
public sealed class PolicyApiHandlers(RetentionService retention, NamespaceQuotas quotas, INamespaceUsageStore usage)
{
    /// <summary>How many repositories of a namespace are looked at to decide whether a non-admin may see its usage.</summary>
    private const int VisibilityCandidates = 1000;

    public async Task<IResult> RunRetentionAsync(HttpContext context)
    {
        if (ApiAccess.AdminRefusal(context, "only administrators may run retention") is { } refusal)
        {
            return refusal;
        }

        var dryRunText = ApiQuery.Text(context.Request, "dryRun");
        if (dryRunText is not (null or "true" or "false"))
        {
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "dryRun must be true or false"));
        }

        var report = await retention.RunAsync(dryRunText == "true", context.RequestAborted);
        return new JsonBodyResult("application/json", json => PolicyJson.WriteReport(json, report));
    }

    public async Task<IResult> NamespaceAsync(HttpContext context, string name)
    {
        if (name.Contains('/', StringComparison.Ordinal) || !RepositoryName.IsValid(name))
        {
            return new ErrorResult(new RegistryError(ErrorCode.NameInvalid, "a namespace is the first path segment of repository names"));
        }

        if (context.Features.Get<CallerAccess>() is { } caller && !ApiAccess.IsAdmin(context))
        {
            var repositories = await usage.ListRepositoriesAsync(name, VisibilityCandidates, context.RequestAborted);
            if (!repositories.Any(caller.MayPull))
            {
                return new ErrorResult(caller.User is null ? ErrorCode.Unauthorized : ErrorCode.NameUnknown);
            }
        }

        var status = await quotas.StatusAsync(name, context.RequestAborted);
        return new JsonBodyResult("application/json", json => PolicyJson.WriteUsage(json, status));
    }
}
