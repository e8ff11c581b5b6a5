using Wharf.Auth;
using Wharf.Core.Events;

namespace Wharf.Http.Webhooks;

/// <summary>The configured endpoints' filters: which endpoints want an event.</summary>
public sealed class WebhookRoutes : IEventRoutes
{
    private readonly Route[] _routes;

    public WebhookRoutes(WebhooksOptions options)
    {
        _routes = options.Endpoints.Select(e => new Route(
            e.Name,
            e.Repositories.Select(p => RepositoryPattern.TryCreate(p, out var pattern) ? pattern : throw new ArgumentException($"not a repository pattern: {p}")).ToArray(),
            (e.Actions.Count == 0 ? EventActions.Changes : e.Actions).ToHashSet(StringComparer.Ordinal),
            e.MediaTypes.ToHashSet(StringComparer.Ordinal))).ToArray();
        WantsPulls = _routes.Any(r => r.Actions.Contains(EventActions.ManifestPull));
    }

    /// <summary>Whether any endpoint asked for pull events: without one, pulls write nothing.</summary>
    public bool WantsPulls { get; }

    public IReadOnlyList<string> EndpointsFor(RegistryEvent registryEvent)
    {
        List<string>? names = null;
        foreach (var route in _routes)
        {
            if (route.Wants(registryEvent))
            {
                (names ??= []).Add(route.Name);
            }
        }

        return (IReadOnlyList<string>?)names ?? [];
    }

    private sealed record Route(string Name, RepositoryPattern[] Repositories, HashSet<string> Actions, HashSet<string> MediaTypes)
    {
        public bool Wants(RegistryEvent e) =>
            Actions.Contains(e.Action)
            && (Repositories.Length == 0 || Repositories.Any(p => p.Matches(e.Repository)))
            && (MediaTypes.Count == 0 || e.MediaType is null || e.Action == EventActions.BlobMount || MediaTypes.Contains(e.MediaType));
    }
}
