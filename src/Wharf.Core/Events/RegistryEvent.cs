namespace Wharf.Core.Events;

/// <summary>
/// One thing that happened in the registry, as stored in the outbox and sent to webhook endpoints.
/// </summary>
/// <param name="Id">Stable across every attempt and every endpoint: receivers deduplicate on it.</param>
/// <param name="Action">One of <see cref="EventActions"/>.</param>
/// <param name="MediaType">The manifest's media type (a pushed or pulled manifest), or the blob's for a mount.</param>
/// <param name="Size">The manifest's or blob's length in bytes, where known.</param>
/// <param name="FromRepository">Where a mounted blob came from, when the client named it.</param>
public sealed record RegistryEvent(
    Guid Id,
    DateTimeOffset Timestamp,
    string Action,
    string Repository,
    string? MediaType = null,
    string? Digest = null,
    long? Size = null,
    string? Tag = null,
    string? FromRepository = null,
    EventOrigin? Origin = null)
{
    /// <summary>
    /// A new event with a fresh id, stamped now. <paramref name="origin"/> is read where the change was asked for
    /// (<see cref="EventOrigin.Current"/>), before its write is queued: a store may run the write on another flow.
    /// </summary>
    public static RegistryEvent Create(
        TimeProvider time, EventOrigin? origin, string action, string repository, string? mediaType = null, string? digest = null, long? size = null, string? tag = null) =>
        new(Guid.CreateVersion7(time.GetUtcNow()), time.GetUtcNow(), action, repository, mediaType, digest, size, tag, null, origin);
}
