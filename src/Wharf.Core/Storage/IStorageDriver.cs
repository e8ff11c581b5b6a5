namespace Wharf.Core.Storage;

/// <summary>
/// What a driver knows about a stored object. <paramref name="Version"/> is an opaque token that changes
/// whenever the object is rewritten (S3: a random token the writer stores with it), or null when the driver has none.
/// </summary>
public readonly record struct StorageObjectInfo(long Size, DateTimeOffset LastModified, string? Version = null)
{
    /// <summary>
    /// The local file that holds the object, when the driver keeps it in one (for zero-copy sends), else null: the
    /// stat that found the object says where, so a reader needs no second look.
    /// </summary>
    public string? LocalPath { get; init; }
}

/// <summary>What <see cref="IStorageDriver.PublishAsync"/> did.</summary>
public enum PublishOutcome
{
    /// <summary>The source's bytes are now the destination's; the source is gone.</summary>
    Published,

    /// <summary>The destination already held an object (the same bytes, by content addressing); it is kept and the source is gone.</summary>
    DestinationExisted,

    /// <summary>The source no longer has the expected version, or is being removed: nothing was published, the source is left as it is.</summary>
    SourceChanged,

    /// <summary>There is no object at the source: nothing was published.</summary>
    SourceMissing,
}

/// <summary>
/// Bytes by path. A driver knows nothing of registries: paths are '/'-separated, relative, and built
/// only by <see cref="StorageLayout"/>. Every method is safe to call concurrently.
/// </summary>
public interface IStorageDriver
{
    /// <summary>Size and modification time of the object at <paramref name="path"/>, or null when there is none.</summary>
    ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the object for reading from <paramref name="offset"/>, or returns null when it does not exist.
    /// The caller owns and disposes the stream.
    /// </summary>
    ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Where the object's file is or would be on the local file system when the driver keeps objects in files, else
    /// null. It does not look: whether a file holds the object is what <see cref="StatAsync"/>'s
    /// <see cref="StorageObjectInfo.LocalPath"/> says.
    /// </summary>
    string? LocalFilePath(string path);

    /// <summary>
    /// A short-lived URL from which a client may GET the object's bytes directly (with Range), or null when the
    /// driver cannot offer one (then the registry streams the bytes itself). Does not check that the object exists.
    /// </summary>
    ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a writer that continues the object at <paramref name="offset"/>, dropping anything stored after it
    /// (offset 0 starts a new object, creating it). The caller disposes the writer. Nothing is durable until
    /// <see cref="IStorageWriter.CommitAsync"/>; disposing without it leaves an object that may be cut back and continued later.
    /// </summary>
    ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically moves an object, replacing any object at <paramref name="destination"/>. After it returns
    /// the object is durable at its new path.
    /// </summary>
    ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the object at <paramref name="source"/> the object at the content-addressed <paramref name="destination"/>
    /// and removes the source, without copying its bytes where the driver can avoid it. Content-addressed means that
    /// any object already at <paramref name="destination"/> holds the same bytes: it is kept, never replaced
    /// (<see cref="PublishOutcome.DestinationExisted"/>), and of two concurrent publishes to one destination exactly one
    /// places its object. With <paramref name="expectedVersion"/> (not null), only a source that still has that
    /// <see cref="StorageObjectInfo.Version"/> is published, and exactly its bytes: the ones the caller verified.
    /// After it returns <see cref="PublishOutcome.Published"/> or <see cref="PublishOutcome.DestinationExisted"/>, the
    /// destination is durable and whole, and nothing that removes the source (or any other path) removes its bytes.
    /// </summary>
    ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes an object or a whole directory prefix. Idempotent: deleting nothing succeeds.</summary>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>The immediate children of a directory prefix (names only), empty when there are none.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// An optional capability of the driver (<see cref="IContentAddressedWrites"/>, <see cref="IStorageCleanup"/>), or null
    /// when it has none. Callers ask this, never an <c>is</c> check on the driver: a decorator (metrics, test counters)
    /// forwards the question to the driver it wraps, so wrapping never switches a fast path off.
    /// </summary>
    T? GetCapability<T>()
        where T : class => this as T;
}
