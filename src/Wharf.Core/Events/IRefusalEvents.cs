namespace Wharf.Core.Events;

/// <summary>
/// Reports a change the registry refused by policy (a quota, an immutable tag), for webhook endpoints that ask for
/// refusals. Registered only with webhooks configured; the services take it as optional.
/// </summary>
public interface IRefusalEvents
{
    /// <summary>Writes the refusal's event (<see cref="EventActions.QuotaExceeded"/> or <see cref="EventActions.TagImmutable"/>); never fails the request.</summary>
    ValueTask RefusedAsync(string action, string repository, string? tag, string? digest, long? size);
}
