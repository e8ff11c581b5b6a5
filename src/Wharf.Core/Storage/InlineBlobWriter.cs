namespace Wharf.Core.Storage;

/// <summary>
/// Collects a small blob's body (at most <paramref name="maxBytes"/>, which the caller knew from its length before it
/// arrived) and keeps it in <paramref name="store"/> at the commit. Nothing is visible before.
/// </summary>
internal sealed class InlineBlobWriter(IInlineBlobStore store, string destination, long maxBytes, TimeProvider time, Action committed) : IStorageWriter
{
    private MemoryStream? _body = new();

    public long Size => _body?.Length ?? 0;

    public string? Version => null;

    public string? BaseVersion => null;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var body = _body ?? throw new ObjectDisposedException(nameof(InlineBlobWriter));
        if (body.Length + buffer.Length > maxBytes)
        {
            // The body's length was announced and checked: a longer one is not what the caller chose this writer for.
            throw new InvalidOperationException($"an inline blob holds at most {maxBytes} bytes");
        }

        body.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        var body = _body ?? throw new ObjectDisposedException(nameof(InlineBlobWriter));
        await store.AddAsync(destination, body.GetBuffer().AsMemory(0, (int)body.Length), time.GetUtcNow(), cancellationToken);
        committed();
    }

    public ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        _body = null;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _body = null;
        return ValueTask.CompletedTask;
    }
}
