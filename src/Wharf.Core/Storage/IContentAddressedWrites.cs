namespace Wharf.Core.Storage;

/// <summary>
/// A driver for which writing an upload and then publishing it under its digest costs requests that a whole blob of known
/// digest does not need (an object store: every step is a round trip) implements this: the blob is written straight to
/// its final path instead, and appears there only when the caller, having verified the bytes, commits.
/// </summary>
public interface IContentAddressedWrites
{
    /// <summary>
    /// Opens a writer for the content-addressed <paramref name="destination"/>. Nothing is visible there before
    /// <see cref="IStorageWriter.CommitAsync"/>, which places the object only if <paramref name="destination"/> holds none
    /// yet (of concurrent commits exactly one places its object; the others' bytes, the same by content addressing, are
    /// dropped). Disposing or cancelling the writer before its commit discards everything written and leaves
    /// <paramref name="destination"/> as it is. <see cref="IStorageWriter.Version"/> and
    /// <see cref="IStorageWriter.BaseVersion"/> carry no meaning here.
    /// </summary>
    ValueTask<IStorageWriter> OpenContentWriterAsync(string destination, CancellationToken cancellationToken);
}
