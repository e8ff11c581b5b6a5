namespace Wharf.Core.Storage;

/// <summary>Writes one object sequentially. Not thread-safe.</summary>
public interface IStorageWriter : IAsyncDisposable
{
    /// <summary>Bytes in the object so far, including any appended-to content.</summary>
    long Size { get; }

    /// <summary>
    /// After <see cref="CommitAsync"/>: the object's <see cref="StorageObjectInfo.Version"/>, so that a caller can
    /// later tell whether anyone rewrote it since; null when the driver keeps no versions.
    /// </summary>
    string? Version { get; }

    /// <summary>
    /// After the writer opened at an offset above 0: the <see cref="StorageObjectInfo.Version"/> of the object whose first
    /// bytes it kept (so a caller can tell whether they are the bytes it believes), null at offset 0 or when the driver keeps no versions.
    /// </summary>
    string? BaseVersion { get; }

    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Makes everything written durable (fsync). The object can then be moved or appended to.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken);

    /// <summary>Removes the object.</summary>
    ValueTask CancelAsync(CancellationToken cancellationToken);
}
