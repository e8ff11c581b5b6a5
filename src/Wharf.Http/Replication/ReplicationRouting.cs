using Wharf.Auth;
using Wharf.Core.Policies;
using Wharf.Core.Replication;

namespace Wharf.Http.Replication;

/// <summary>The push rules of the validated <c>Replication</c> section, matched against a pushed tag.</summary>
public sealed class ReplicationRouting : IReplicationRouting
{
    private readonly (string Name, RepositoryPattern[] Repositories, TagPattern[] Tags)[] _push;

    public ReplicationRouting(ReplicationOptions options)
    {
        _push = options.Rules.Where(r => r.Direction == ReplicationDirections.Push)
            .Select(r => (r.Name, r.Repositories.Select(Repository).ToArray(), r.Tags.Select(Tag).ToArray()))
            .ToArray();
    }

    /// <summary>Whether any push rule is configured: without one, pushes write no job.</summary>
    public bool HasPushRules => _push.Length > 0;

    public IReadOnlyList<string> PushRulesFor(string repository, string tag)
    {
        List<string>? names = null;
        foreach (var (name, repositories, tags) in _push)
        {
            if (repositories.Any(p => p.Matches(repository)) && (tags.Length == 0 || tags.Any(t => t.Matches(tag))))
            {
                (names ??= []).Add(name);
            }
        }

        return names ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Whether push rule <paramref name="rule"/> matches the repository (tags aside); false for an unknown rule.</summary>
    public bool MatchesRepository(string rule, string repository) =>
        _push.Any(r => r.Name == rule && r.Repositories.Any(p => p.Matches(repository)));

    /// <summary>Whether push rule <paramref name="rule"/> matches the tag (repositories aside).</summary>
    public bool MatchesTag(string rule, string tag) =>
        _push.Any(r => r.Name == rule && (r.Tags.Length == 0 || r.Tags.Any(t => t.Matches(tag))));

    private static RepositoryPattern Repository(string text) =>
        RepositoryPattern.TryCreate(text, out var pattern) ? pattern : throw new ArgumentException($"invalid repository pattern '{text}'");

    private static TagPattern Tag(string text) =>
        TagPattern.TryCreate(text, out var pattern) ? pattern : throw new ArgumentException($"invalid tag pattern '{text}'");
}
