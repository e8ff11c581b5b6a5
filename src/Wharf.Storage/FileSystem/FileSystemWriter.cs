using Wharf.Core.Storage;

namespace Wharf.Storage.FileSystem;

/// <summary>Writes one file; <see cref="CommitAsync"/> fsyncs it.</summary>
internal sealed class FileSystemWriter(FileStream stream, string fullPath) : IStorageWriter
{
    public long Size => stream.Length;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken) =>
        stream.WriteAsync(buffer, cancellationToken);

    public ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        stream.Flush(flushToDisk: true);
        return ValueTask.CompletedTask;
    }

    public async ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        await stream.DisposeAsync();
        File.Delete(fullPath);
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
