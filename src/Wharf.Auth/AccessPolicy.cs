namespace Wharf.Auth;

/// <summary>
/// Evaluates <see cref="AuthOptions"/> policies: what a principal may do to a repository. Rules only grant;
/// the result is the union of anonymous rules, admin rights, the user's own namespace and matching rules,
/// then narrowed by an access token's scopes. Pure and thread-safe.
/// </summary>
public sealed class AccessPolicy
{
    private readonly (RepositoryPattern Pattern, HashSet<string> Users, HashSet<string> Groups, AccessActions Actions)[] _rules;
    private readonly (RepositoryPattern Pattern, AccessActions Actions)[] _anonymous;
    private readonly HashSet<string> _admins;
    private readonly bool _ownNamespace;

    public AccessPolicy(AuthOptions options)
    {
        _rules = [.. options.Policies.Select(r => (Pattern(r.Repositories), r.Users.ToHashSet(StringComparer.Ordinal), r.Groups.ToHashSet(StringComparer.Ordinal), AccessActionsText.ParseList(r.Actions)))];
        _anonymous = [.. options.Anonymous.Select(r => (Pattern(r.Repositories), AccessActionsText.ParseList(r.Actions)))];
        _admins = options.Admins.ToHashSet(StringComparer.Ordinal);
        _ownNamespace = options.OwnNamespace;
    }

    /// <summary>
    /// Whether <paramref name="principal"/> acts with an administrator's full rights: a user named in <c>Auth:Admins</c>,
    /// signed in as such, not through a robot or an access token narrowed by scopes.
    /// </summary>
    public bool IsAdmin(Principal principal) =>
        principal.Name is { } name && !principal.IsRobot && principal.Limit is null && _admins.Contains(name);

    /// <summary>What <paramref name="principal"/> may do to <paramref name="repository"/>.</summary>
    public AccessActions Allowed(Principal principal, string repository)
    {
        var anonymous = AccessActions.None;
        foreach (var (pattern, actions) in _anonymous)
        {
            if (pattern.Matches(repository))
            {
                anonymous |= actions;
            }
        }

        if (principal.Name is not { } name)
        {
            return anonymous;
        }

        if (principal.IsRobot)
        {
            return anonymous | Scope.OnPattern(principal.Limit ?? [], repository);
        }

        var granted = UserRights(name, principal.Groups, repository);
        if (principal.Limit is { } limit)
        {
            granted &= Scope.OnPattern(limit, repository);
        }

        return anonymous | granted;
    }

    private AccessActions UserRights(string name, IReadOnlyList<string> groups, string repository)
    {
        if (_admins.Contains(name)
            || (_ownNamespace && repository.Length > name.Length && repository.StartsWith(name, StringComparison.Ordinal) && repository[name.Length] == '/'))
        {
            return AccessActions.All;
        }

        var granted = AccessActions.None;
        foreach (var (pattern, users, ruleGroups, actions) in _rules)
        {
            if ((granted & actions) != actions && (users.Contains(name) || groups.Any(ruleGroups.Contains)) && pattern.Matches(repository))
            {
                granted |= actions;
            }
        }

        return granted;
    }

    private static RepositoryPattern Pattern(string text) =>
        RepositoryPattern.TryCreate(text, out var pattern) ? pattern : throw new ArgumentException($"invalid repository pattern '{text}'", nameof(text));
}
