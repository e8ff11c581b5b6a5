using System.Runtime.CompilerServices;

namespace Wharf.Core.Storage;

/// <summary>
/// A driver that keeps small whole blobs in the metadata store (<see cref="IInlineBlobStore"/>) and everything else in
/// the driver it wraps, and shows both as one tree: a reader of <c>blobs/…</c> finds a blob wherever it is kept
/// (docs/design/storage.md, "Small blobs"). Files are looked at first, so a blob kept as a file costs what it did.
/// </summary>
public sealed class InlineBlobStorage(IStorageDriver inner, IInlineBlobStore store, long maxBytes, TimeProvider time) : IStorageDriver, ISmallBlobWrites
{
    private const string BlobsPrefix = StorageLayout.BlobsRoot + "/";

    public long MaxBytes => maxBytes;

    /// <remarks>Small-blob writes are this decorator's own; every other capability is the wrapped driver's.</remarks>
    public T? GetCapability<T>()
        where T : class => typeof(T) == typeof(ISmallBlobWrites) ? this as T : inner.GetCapability<T>();

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken) =>
        await inner.StatAsync(path, cancellationToken) ?? (IsBlob(path) ? await store.StatAsync(path, cancellationToken) : null);

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        if (await inner.OpenReadAsync(path, offset, cancellationToken) is { } file)
        {
            return file;
        }

        if (!IsBlob(path) || await store.GetAsync(path, cancellationToken) is not { } blob)
        {
            return null;
        }

        var start = (int)Math.Min(offset, blob.Bytes.Length);
        return new MemoryStream(blob.Bytes, start, blob.Bytes.Length - start, writable: false);
    }

    /// <remarks>A blob kept inline has no file: null, so that its bytes are read through <see cref="OpenReadAsync"/>.</remarks>
    public string? LocalFilePath(string path)
    {
        var local = inner.LocalFilePath(path);
        return local is not null && IsBlob(path) && !File.Exists(local) ? null : local;
    }

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
    }

    public ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken) =>
        inner.PublishAsync(source, destination, expectedVersion, cancellationToken);

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await inner.DeleteAsync(path, cancellationToken);
        if (IsBlob(path) || path == StorageLayout.BlobsRoot)
        {
            await store.DeleteAsync(path, cancellationToken);
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
        ValueTask.FromResult<IStorageWriter>(new InlineBlobWriter(store, destination, maxBytes, time));

    private static bool IsBlob(string path) => path.StartsWith(BlobsPrefix, StringComparison.Ordinal);
}
