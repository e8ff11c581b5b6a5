namespace Wharf.Core.Events;

/// <summary>Which configured webhook endpoints want an event (by its repository, action and media type).</summary>
public interface IEventRoutes
{
    /// <summary>The names of the endpoints that want <paramref name="registryEvent"/>; empty when none.</summary>
    IReadOnlyList<string> EndpointsFor(RegistryEvent registryEvent);
}
