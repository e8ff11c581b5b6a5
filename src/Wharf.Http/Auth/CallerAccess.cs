using Wharf.Auth;

namespace Wharf.Http.Auth;

/// <summary>
/// What the caller of the current request may do to any repository, for handlers that touch repositories
/// other than the one in the path (catalog filtering, cross-repository mounts). Absent when auth is off.
/// </summary>
public sealed class CallerAccess(Func<string, AccessActions> allowed)
{
    public bool MayPull(string repository) => allowed(repository).HasFlag(AccessActions.Pull);
}
