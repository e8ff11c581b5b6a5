namespace Wharf.Core.Policies;

/// <summary>A repository's namespace: the first path segment of its name (<c>team-a</c> for <c>team-a/app/web</c> and for <c>team-a</c>).</summary>
public static class RepositoryNamespace
{
    public static string Of(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? repository : repository[..slash];
    }
}
