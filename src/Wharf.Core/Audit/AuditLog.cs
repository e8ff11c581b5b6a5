using Microsoft.Extensions.Logging;

namespace Wharf.Core.Audit;

/// <summary>
/// Writes audit events, stamped with the injected clock. A failed write is logged as a warning and never fails the
/// action it records: the action has already happened.
/// </summary>
public sealed partial class AuditLog(IAuditStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>The longest actor name kept (a failed login may offer any name); longer ones are cut.</summary>
    public const int MaxActorLength = 256;

    public async ValueTask RecordAsync(string actor, string actorKind, string? clientAddress, string action,
        string? repository = null, string? target = null, string? detail = null, string? requestId = null)
    {
        var entry = new AuditEvent(0, time.GetUtcNow(), actor.Length > MaxActorLength ? actor[..MaxActorLength] : actor,
            actorKind, clientAddress, action, repository, target, detail, requestId);
        try
        {
            // Not the caller's token: a client that hangs up after its push still leaves the push on record.
            await store.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWriteFailed(logger, e, action);
        }
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "An audit event ({Action}) could not be written; the action itself went ahead")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string action);
}
