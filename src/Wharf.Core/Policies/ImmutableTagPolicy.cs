namespace Wharf.Core.Policies;

/// <summary>One immutable-tag rule: tags matching <paramref name="Tags"/> in repositories matching <paramref name="Repositories"/>; <paramref name="Name"/> is how messages name it.</summary>
public sealed record ImmutableTagRule(string Name, Func<string, bool> Repositories, TagPattern Tags);

/// <summary>
/// Which tags may not move or be deleted once pushed (config <c>Policies:ImmutableTags</c>). A tag is immutable when
/// any rule matches both its repository and its name. Pure and thread-safe.
/// </summary>
public sealed class ImmutableTagPolicy(IReadOnlyList<ImmutableTagRule> rules)
{
    public static ImmutableTagPolicy None { get; } = new([]);

    public IReadOnlyList<ImmutableTagRule> Rules => rules;

    /// <summary>The first rule that makes <paramref name="tag"/> of <paramref name="repository"/> immutable, or null.</summary>
    public ImmutableTagRule? Match(string repository, string tag)
    {
        foreach (var rule in rules)
        {
            if (rule.Tags.Matches(tag) && rule.Repositories(repository))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Whether some rule covers the repository (then deletes by digest must check the manifest's tags).</summary>
    public bool Covers(string repository) => rules.Any(r => r.Repositories(repository));
}
