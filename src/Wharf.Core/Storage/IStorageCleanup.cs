namespace Wharf.Core.Storage;

/// <summary>
/// A driver that can leave store-specific debris behind when a process dies mid-operation (unfinished multipart
/// uploads, data objects nothing points to) implements this; the upload janitor calls it on every sweep.
/// </summary>
public interface IStorageCleanup
{
    /// <summary>
    /// Removes debris that has been abandoned since before <paramref name="olderThan"/> (the upload expiry: no
    /// operation in progress lasts that long) and that no object refers to. Returns how many objects went.
    /// </summary>
    ValueTask<int> RemoveAbandonedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);

    /// <summary>
    /// A whole pass that also checks what a sweep takes on trust (on S3: whether the blob that a published data object
    /// was published to still names it, one request per large blob), for the offline garbage collector. Removes what
    /// nothing refers to and was abandoned before <paramref name="olderThan"/>; returns how many objects went.
    /// </summary>
    ValueTask<int> RemoveUnreferencedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
