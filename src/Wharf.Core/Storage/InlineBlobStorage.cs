using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Wharf.Core.Storage;

/// <summary>
/// A driver that keeps small whole blobs in the metadata store (<see cref="IInlineBlobStore"/>) and everything else in
/// the driver it wraps, and shows both as one tree: a reader of <c>blobs/…</c> finds a blob wherever it is kept
/// (docs/design/storage.md, "Small blobs"). Files are looked at first, so a blob kept as a file costs what it did.
/// </summary>
/// <remarks>
/// Paths known to be rows (committed or found here) are remembered, only to look at the row first: a HEAD or GET of a
/// small blob then skips the file it does not have (a failed open throws). The answer always comes from the store.
/// </remarks>
public sealed class InlineBlobStorage(IStorageDriver inner, IInlineBlobStore store, long maxBytes, TimeProvider time) : IStorageDriver, ISmallBlobWrites
{
    private const string BlobsPrefix = StorageLayout.BlobsRoot + "/";
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, bool> _rows = new(StringComparer.Ordinal);

    public long MaxBytes => maxBytes;

    /// <remarks>Small-blob writes are this decorator's own; every other capability is the wrapped driver's.</remarks>
    public T? GetCapability<T>()
        where T : class => typeof(T) == typeof(ISmallBlobWrites) ? this as T : inner.GetCapability<T>();

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        if (!IsBlob(path))
        {
            return await inner.StatAsync(path, cancellationToken);
        }

        if (_rows.ContainsKey(path))
        {
            if (await store.StatAsync(path, cancellationToken) is { } row)
            {
                return row;
            }

            _rows.TryRemove(path, out _);
            return await inner.StatAsync(path, cancellationToken);
        }

        if (await inner.StatAsync(path, cancellationToken) is { } file)
        {
            return file;
        }

        var found = await store.StatAsync(path, cancellationToken);
        Remember(path, found is not null);
        return found;
    }

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        if (!IsBlob(path))
        {
            return await inner.OpenReadAsync(path, offset, cancellationToken);
        }

        if (!_rows.ContainsKey(path) && await inner.OpenReadAsync(path, offset, cancellationToken) is { } file)
        {
            return file;
        }

        if (await store.GetAsync(path, cancellationToken) is { } blob)
        {
            Remember(path, true);
            var start = (int)Math.Min(offset, blob.Bytes.Length);
            return new MemoryStream(blob.Bytes, start, blob.Bytes.Length - start, writable: false);
        }

        // Remembered as a row, but gone from the store (deleted since, perhaps by another process): a file, if any.
        return _rows.TryRemove(path, out _) ? await inner.OpenReadAsync(path, offset, cancellationToken) : null;
    }

    /// <remarks>
    /// Null for a blob remembered as a row; otherwise where its file would be, without looking (a look cost a GET of a
    /// blob kept as a file a second and a third stat). Whether a file holds the bytes is what <see cref="StatAsync"/> says.
    /// </remarks>
    public string? LocalFilePath(string path) => IsBlob(path) && _rows.ContainsKey(path) ? null : inner.LocalFilePath(path);

    public ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken) => inner.RedirectUrlAsync(path, cancellationToken);

    public ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken) =>
        inner.OpenWriterAsync(path, offset, cancellationToken);

    /// <remarks>
    /// A blob kept inline moves out as a file (<c>wharf check --repair</c> quarantines corrupt bytes this way): its bytes are
    /// written to an upload-shaped name, moved into place durably, and only then is the row removed.
    /// </remarks>
    public async ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        if (!IsBlob(source) || await inner.StatAsync(source, cancellationToken) is not null || await store.GetAsync(source, cancellationToken) is not { } blob)
        {
            await inner.MoveAsync(source, destination, cancellationToken);
            return;
        }

        var staging = StorageLayout.Upload(Protocol.UploadId.New());
        await using (var writer = await inner.OpenWriterAsync(staging, 0, cancellationToken))
        {
            await writer.WriteAsync(blob.Bytes, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }

        await inner.MoveAsync(staging, destination, cancellationToken);
        await store.DeleteAsync(source, cancellationToken);
        _rows.TryRemove(source, out _);
    }

    public ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken) =>
        inner.PublishAsync(source, destination, expectedVersion, cancellationToken);

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await inner.DeleteAsync(path, cancellationToken);
        if (IsBlob(path) || path == StorageLayout.BlobsRoot)
        {
            await store.DeleteAsync(path, cancellationToken);
            _rows.TryRemove(path, out _); // a prefix's rows stay remembered: the store answers that they are gone
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var name in inner.ListAsync(prefix, cancellationToken))
        {
            seen.Add(name);
            yield return name;
        }

        if (!IsBlob(prefix) && prefix != StorageLayout.BlobsRoot)
        {
            yield break;
        }

        await foreach (var path in store.ListAsync(prefix, cancellationToken))
        {
            var rest = path.AsSpan(prefix.Length + 1);
            var slash = rest.IndexOf('/');
            var child = (slash < 0 ? rest : rest[..slash]).ToString();
            if (seen.Add(child))
            {
                yield return child;
            }
        }
    }

    public ValueTask<IStorageWriter> OpenContentWriterAsync(string destination, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStorageWriter>(new InlineBlobWriter(store, destination, maxBytes, time, () => Remember(destination, true)));

    private static bool IsBlob(string path) => path.StartsWith(BlobsPrefix, StringComparison.Ordinal);

    private void Remember(string path, bool isRow)
    {
        if (!isRow)
        {
            return;
        }

        if (_rows.Count >= MaxRemembered)
        {
            _rows.Clear();
        }

        _rows.TryAdd(path, true);
    }
}
