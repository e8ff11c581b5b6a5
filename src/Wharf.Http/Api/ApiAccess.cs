using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Auth;

namespace Wharf.Http.Api;

/// <summary>
/// Access checks of the JSON API, made before anything is looked up so that the answer never tells whether a
/// repository exists: a repository the caller may not pull answers like an unknown one (404 NAME_UNKNOWN), or
/// 401 for an anonymous caller, who might see it after signing in.
/// </summary>
internal static class ApiAccess
{
    /// <summary>What the caller may do to <paramref name="repository"/>; everything when auth is off.</summary>
    public static AccessActions Allowed(HttpContext context, string repository) =>
        context.Features.Get<CallerAccess>()?.Allowed(repository) ?? AccessActions.All;

    /// <summary>The pull filter for listings, or null when auth is off (everything is visible).</summary>
    public static Func<string, bool>? PullFilter(HttpContext context) =>
        context.Features.Get<CallerAccess>() is { } access ? access.MayPull : null;

    /// <summary>Null when the caller may do <paramref name="needed"/> (pull is always needed) to the repository, else the refusal.</summary>
    public static RegistryError? Refusal(HttpContext context, string repository, AccessActions needed = AccessActions.Pull)
    {
        if (context.Features.Get<CallerAccess>() is not { } caller)
        {
            return null; // Auth is off.
        }

        var allowed = caller.Allowed(repository);
        needed |= AccessActions.Pull;
        if ((allowed & needed) == needed)
        {
            return null;
        }

        if (caller.User is null)
        {
            return ErrorCode.Unauthorized;
        }

        return allowed.HasFlag(AccessActions.Pull) ? ErrorCode.Denied : ErrorCode.NameUnknown;
    }
}
