using System.Collections.Concurrent;
using Wharf.Core.Storage;

namespace Wharf.Tests.Core.Services.Layers;

/// <summary>Passes everything to another driver and counts, per path, the reads opened and the bytes read.</summary>
public sealed class CountingStorageDriver(IStorageDriver inner) : IStorageDriver
{
    private readonly ConcurrentDictionary<string, int> _opens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public int Opens(string path) => _opens.GetValueOrDefault(path);

    public long BytesRead(string path) => _bytes.GetValueOrDefault(path);

    public void Reset()
    {
        _opens.Clear();
        _bytes.Clear();
    }

    public T? GetCapability<T>()
        where T : class => inner.GetCapability<T>();

    public ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken) => inner.StatAsync(path, cancellationToken);

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        _opens.AddOrUpdate(path, 1, (_, n) => n + 1);
        var stream = await inner.OpenReadAsync(path, offset, cancellationToken);
        return stream is null ? null : new CountingStream(stream, n => _bytes.AddOrUpdate(path, n, (_, total) => total + n));
    }

    public string? LocalFilePath(string path) => inner.LocalFilePath(path);

    public ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken) => inner.RedirectUrlAsync(path, cancellationToken);

    public ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken) => inner.OpenWriterAsync(path, offset, cancellationToken);

    public ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken) => inner.MoveAsync(source, destination, cancellationToken);

    public ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken) =>
        inner.PublishAsync(source, destination, expectedVersion, cancellationToken);

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <summary>A forward-only view of a stream that reports every read (seeking would hide bytes skipped, so it offers none).</summary>
    private sealed class CountingStream(Stream inner, Action<long> counted) : ReadOnlyForwardingStream(inner)
    {
        public override int Read(Span<byte> buffer)
        {
            var read = Inner.Read(buffer);
            counted(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await Inner.ReadAsync(buffer, cancellationToken);
            counted(read);
            return read;
        }
    }
}
