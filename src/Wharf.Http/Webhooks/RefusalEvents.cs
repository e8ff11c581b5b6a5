using Microsoft.Extensions.Logging;
using Wharf.Core.Events;

namespace Wharf.Http.Webhooks;

/// <summary>
/// Writes refusal events (quota, immutable tags) to the outbox for the endpoints that ask for them. A refusal changes
/// nothing, so its event is a write of its own without a flush of its own; a failed write is logged, never the request's error.
/// </summary>
public sealed partial class RefusalEvents(IEventOutbox outbox, TimeProvider time, ILogger<RefusalEvents> logger) : IRefusalEvents
{
    public async ValueTask RefusedAsync(string action, string repository, string? tag, string? digest, long? size)
    {
        try
        {
            await outbox.AppendAsync(RegistryEvent.Create(time, EventOrigin.Current, action, repository, null, digest, size, tag), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWriteFailed(logger, e, action, repository);
        }
    }

    [LoggerMessage(EventId = 3310, Level = LogLevel.Warning, Message = "The {Action} event of {Repository} could not be written; the refusal itself stands")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string action, string repository);
}
