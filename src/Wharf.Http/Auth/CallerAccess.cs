using Wharf.Auth;

namespace Wharf.Http.Auth;

/// <summary>
/// What the caller of the current request may do to any repository, for handlers that touch repositories
/// other than the one in the path (catalog filtering, cross-repository mounts, search, the JSON API).
/// Absent when auth is off: then everyone may do everything.
/// </summary>
public sealed class CallerAccess(Func<string, AccessActions> allowed, string? user = null, bool isAdmin = false)
{
    /// <summary>The signed-in user's (or robot's) name; null for anonymous callers.</summary>
    public string? User { get; } = user;

    /// <summary>Whether the caller holds an administrator's full rights (<see cref="AccessPolicy.IsAdmin"/>).</summary>
    public bool IsAdmin { get; } = isAdmin;

    public AccessActions Allowed(string repository) => allowed(repository);

    public bool MayPull(string repository) => allowed(repository).HasFlag(AccessActions.Pull);
}
