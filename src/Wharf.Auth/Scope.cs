namespace Wharf.Auth;

/// <summary>
/// A Docker token scope: <c>repository:&lt;name&gt;:pull,push</c> or <c>registry:catalog:*</c>.
/// For the catalog, <see cref="Actions"/> is <see cref="AccessActions.All"/> when granted.
/// </summary>
public sealed record Scope(string Type, string Name, AccessActions Actions)
{
    public const string RepositoryType = "repository";
    public const string RegistryType = "registry";
    public const string CatalogName = "catalog";

    public static Scope Catalog { get; } = new(RegistryType, CatalogName, AccessActions.All);

    public bool IsCatalog => Type == RegistryType && Name == CatalogName;

    /// <summary>Parses <c>type:name:actions</c>; the name may contain colons (the first and last colon split). Null when malformed.</summary>
    public static Scope? Parse(string text)
    {
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1)
        {
            return null;
        }

        var type = text[..first];
        var paren = type.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            type = type[..paren]; // "repository(plugin)": the resource class does not change access.
        }

        var name = text[(first + 1)..last];
        var actions = text[(last + 1)..];
        return new Scope(type, name, type == RegistryType && actions == "*" ? AccessActions.All : AccessActionsText.ParseList(actions));
    }

    /// <summary>Every scope in request parameters; each value may hold several, separated by spaces.</summary>
    public static IReadOnlyList<Scope> ParseAll(IEnumerable<string?> values) =>
        [.. values.SelectMany(v => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(Parse).OfType<Scope>()];

    public override string ToString() =>
        IsCatalog ? "registry:catalog:*" : $"{Type}:{Name}:{string.Join(',', AccessActionsText.Names(Actions))}";

    /// <summary>
    /// The actions stored access-token scopes give on <paramref name="repository"/>; their names may be patterns
    /// (<c>repository:team-a/**:pull</c>, see <see cref="RepositoryPattern"/>).
    /// </summary>
    public static AccessActions OnPattern(IEnumerable<Scope> scopes, string repository) =>
        scopes.Where(s => s.Type == RepositoryType && (s.Name == repository || (s.Name.Contains('*', StringComparison.Ordinal)
            && RepositoryPattern.TryCreate(s.Name, out var pattern) && pattern.Matches(repository))))
            .Aggregate(AccessActions.None, (all, s) => all | s.Actions);

    /// <summary>The actions <paramref name="scopes"/> give on repository <paramref name="repository"/> (exact names, as in a JWT).</summary>
    public static AccessActions On(IEnumerable<Scope> scopes, string repository) =>
        scopes.Where(s => s.Type == RepositoryType && s.Name == repository).Aggregate(AccessActions.None, (all, s) => all | s.Actions);
}
