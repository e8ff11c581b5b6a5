using Wharf.Core.Events;
using Wharf.Core.Metadata;

namespace Wharf.Http.Webhooks;

/// <summary>
/// Writes a <c>manifest.pull</c> event for each manifest GET, when some endpoint asked for pulls. A pull changes nothing
/// else, so its event is a write of its own, without a flush of its own: a crash may lose the last pulls' events.
/// </summary>
public sealed class PullEvents(IEventOutbox outbox, WebhookRoutes routes, TimeProvider time)
{
    public ValueTask RecordAsync(string repository, string reference, StoredManifest manifest)
    {
        if (!routes.WantsPulls)
        {
            return ValueTask.CompletedTask;
        }

        var tag = reference.Contains(':', StringComparison.Ordinal) ? null : reference;
        var pulled = RegistryEvent.Create(time, EventOrigin.Current, EventActions.ManifestPull, repository, manifest.MediaType, manifest.Digest.Value, manifest.Payload.Length, tag);
        return outbox.AppendAsync(pulled, CancellationToken.None);
    }
}
