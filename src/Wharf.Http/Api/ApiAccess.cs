using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Auth;

namespace Wharf.Http.Api;

/// <summary>
/// Permission checks for the JSON API, made before anything is looked up. A repository the caller may not pull answers
/// exactly like an unknown one (404 NAME_UNKNOWN), or 401 to an anonymous caller, who might see more after signing in.
/// </summary>
internal static class ApiAccess
{
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
