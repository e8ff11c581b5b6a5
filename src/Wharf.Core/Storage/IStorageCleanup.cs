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
}
