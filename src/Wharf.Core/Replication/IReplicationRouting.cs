namespace Wharf.Core.Replication;

/// <summary>Which push rules want a pushed tag copied (docs/design/replication.md); the manifest writer asks it in the push's transaction.</summary>
public interface IReplicationRouting
{
    /// <summary>The names of the push rules matching <paramref name="repository"/> and <paramref name="tag"/>; empty when none does.</summary>
    IReadOnlyList<string> PushRulesFor(string repository, string tag);
}
