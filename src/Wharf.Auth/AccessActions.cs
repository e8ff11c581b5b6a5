namespace Wharf.Auth;

/// <summary>What may be done to a repository.</summary>
[Flags]
public enum AccessActions
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    All = Pull | Push | Delete,
}

/// <summary>The wire names of <see cref="AccessActions"/> (<c>pull</c>, <c>push</c>, <c>delete</c>, <c>*</c>).</summary>
public static class AccessActionsText
{
    /// <summary>One action name; <see cref="AccessActions.None"/> when unknown.</summary>
    public static AccessActions Parse(string action) => action.Trim() switch
    {
        "pull" => AccessActions.Pull,
        "push" => AccessActions.Push,
        "delete" => AccessActions.Delete,
        "*" => AccessActions.All,
        _ => AccessActions.None,
    };

    /// <summary>A comma-separated list of names; unknown names are ignored.</summary>
    public static AccessActions ParseList(string actions)
    {
        var result = AccessActions.None;
        foreach (var action in actions.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            result |= Parse(action);
        }

        return result;
    }

    public static AccessActions ParseList(IEnumerable<string> actions) =>
        actions.Aggregate(AccessActions.None, (all, a) => all | Parse(a));

    /// <summary>The names, in the order pull, push, delete.</summary>
    public static IReadOnlyList<string> Names(AccessActions actions)
    {
        var names = new List<string>(3);
        if (actions.HasFlag(AccessActions.Pull))
        {
            names.Add("pull");
        }

        if (actions.HasFlag(AccessActions.Push))
        {
            names.Add("push");
        }

        if (actions.HasFlag(AccessActions.Delete))
        {
            names.Add("delete");
        }

        return names;
    }
}
