using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Auth;
using Wharf.Http.Results;

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

    /// <summary>Whether the caller has an administrator's full rights (<see cref="AccessPolicy.IsAdmin"/>); everyone has when auth is off.</summary>
    public static bool IsAdmin(HttpContext context) => context.Features.Get<CallerAccess>() is not { } access || access.IsAdmin;

    /// <summary>Null for an admin (or with auth off); else 401 for an anonymous caller, 403 DENIED saying <paramref name="why"/> for others.</summary>
    public static ErrorResult? AdminRefusal(HttpContext context, string why) =>
        IsAdmin(context) ? null
        : context.Features.Get<CallerAccess>()!.User is null ? new ErrorResult(ErrorCode.Unauthorized)
        : new ErrorResult(new RegistryError(ErrorCode.Denied, why));

    /// <summary>Null when the caller may do <paramref name="actions"/> to <paramref name="repository"/>, else the refusal to send.</summary>
    public static ErrorResult? Refusal(HttpContext context, string repository, AccessActions actions)
    {
        if (context.Features.Get<CallerAccess>() is not { } access)
        {
            return null;
        }

        var allowed = access.Allowed(repository);
        if ((allowed & actions) == actions)
        {
            return null;
        }

        if (access.User is null)
        {
            return new ErrorResult(ErrorCode.Unauthorized);
        }

        return allowed.HasFlag(AccessActions.Pull) ? new ErrorResult(ErrorCode.Denied) : new ErrorResult(ErrorCode.NameUnknown);
    }
}
