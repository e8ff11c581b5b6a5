namespace Wharf.Core.Storage;

/// <summary>A blob kept whole in the metadata store: its bytes and when they were written.</summary>
public sealed record InlineBlob(byte[] Bytes, DateTimeOffset CreatedAt);

/// <summary>
/// Small blobs kept in the metadata store's own log, keyed by their storage path (<see cref="StorageLayout.Blob"/>), so
/// that their durability point is the one the link to a repository already pays (docs/design/storage.md, "Small
/// blobs"). Offered by a metadata store whose commits of one process are sequential in one log (SQLite's WAL): a write
/// here that is not flushed on its own becomes durable with the next durable commit, which is the link's.
/// </summary>
public interface IInlineBlobStore
{
    /// <summary>Size and creation time of the blob at <paramref name="path"/>, or null when it is not kept here.</summary>
    ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>The blob at <paramref name="path"/>, read whole in one statement, or null when it is not kept here.</summary>
    ValueTask<InlineBlob?> GetAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps <paramref name="bytes"/> at <paramref name="path"/> unless something is kept there already (content
    /// addressing: the same bytes), and says whether it placed them. Not flushed on its own: the caller's next durable
    /// commit makes it durable.
    /// </summary>
    ValueTask<bool> AddAsync(string path, ReadOnlyMemory<byte> bytes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the blob at <paramref name="path"/>, or every blob under the prefix <paramref name="path"/>/.</summary>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>The paths of every blob kept here under the prefix <paramref name="prefix"/>/, in order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);
}
