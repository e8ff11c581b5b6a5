using Wharf.Core.Metadata;

namespace Wharf.Core.Events;

/// <summary>
/// The durable outbox of webhook deliveries in the metadata store (docs/design/webhooks.md). Changes write their
/// events in their own transactions; this is what the dispatcher, the API and the CLI do with them afterwards.
/// </summary>
public interface IEventOutbox
{
    /// <summary>
    /// Writes an event that reports no change of its own (a pull) in a transaction of its own, for every endpoint that
    /// wants it. Not durable on every engine: a crash may lose the last ones.
    /// </summary>
    ValueTask AppendAsync(RegistryEvent registryEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> due deliveries to <paramref name="owner"/> until <paramref name="now"/> plus
    /// <paramref name="lease"/>: for each endpoint of <paramref name="endpoints"/> and repository, only the oldest pending
    /// delivery (the head of its line), and none leased to another owner.
    /// </summary>
    ValueTask<IReadOnlyList<PendingDelivery>> ClaimAsync(
        IReadOnlyCollection<string> endpoints, string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimLinesAsync(endpoints.ToDictionary(e => e, _ => 1, StringComparer.Ordinal), owner, limit, now, lease, cancellationToken);

    /// <summary>
    /// As <see cref="ClaimAsync"/>, and with each line's head also the due pending deliveries right behind it, up to
    /// <paramref name="batchSizes"/>[endpoint] in all (an unbroken run: it stops at the first one not due or leased), so
    /// that they go in one request. The result lists each line's deliveries together, in order.
    /// </summary>
    ValueTask<IReadOnlyList<PendingDelivery>> ClaimLinesAsync(
        IReadOnlyDictionary<string, int> batchSizes, string owner, int lines, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records how a claimed delivery went; false (and nothing changed) when the lease is no longer <paramref name="owner"/>'s.</summary>
    async ValueTask<bool> RecordAsync(PendingDelivery delivery, string owner, DeliveryOutcome outcome, CancellationToken cancellationToken) =>
        await RecordAllAsync([(delivery, outcome)], owner, cancellationToken) == 1;

    /// <summary>Records several outcomes in one transaction; how many were still <paramref name="owner"/>'s to record.</summary>
    ValueTask<int> RecordAllAsync(IReadOnlyList<(PendingDelivery Delivery, DeliveryOutcome Outcome)> outcomes, string owner, CancellationToken cancellationToken);

    /// <summary>Deliveries matching <paramref name="query"/>, newest event first.</summary>
    ValueTask<Page<EventDelivery>> ListAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>Puts dead deliveries (one event's, or all of an endpoint's, or all) back in line, due at <paramref name="now"/>; how many.</summary>
    ValueTask<int> ReplayAsync(long? eventId, string? endpoint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes delivered events older than <paramref name="before"/> (and events no delivery needs any more); how many events.</summary>
    ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>How many deliveries are pending and how many dead.</summary>
    ValueTask<(long Pending, long Dead)> CountAsync(CancellationToken cancellationToken);
}

/// <summary>A delivery leased to a dispatcher: the event, which endpoint, and how many attempts came before.</summary>
/// <param name="EventId">The outbox row's id (increasing in commit order per repository).</param>
public sealed record PendingDelivery(long EventId, string Endpoint, int Attempts, RegistryEvent Event);

/// <summary>Delivery states as stored.</summary>
public static class DeliveryStates
{
    public const string Pending = "pending";

    public const string Done = "done";

    public const string Dead = "dead";
}

/// <summary>
/// How one attempt went: <see cref="DeliveryStates"/> after it, when to try again if pending, and what the endpoint
/// answered. <paramref name="Attempted"/> false gives a delivery back without counting an attempt (it rode along in a
/// request whose first event failed, and waits behind it again).
/// </summary>
public sealed record DeliveryOutcome(string State, DateTimeOffset NextAttemptAt, int? Status, string? Error, bool Attempted = true);

/// <summary>One event's delivery to one endpoint, as listed.</summary>
public sealed record EventDelivery(
    long EventId, string Endpoint, string State, int Attempts, DateTimeOffset NextAttemptAt, int? LastStatus, string? LastError, RegistryEvent Event);

/// <summary>Filters for listing deliveries; <paramref name="Before"/> continues a page below an event id.</summary>
public sealed record EventQuery(string? State = null, string? Endpoint = null, string? Repository = null, long? Before = null, int Limit = 100);
