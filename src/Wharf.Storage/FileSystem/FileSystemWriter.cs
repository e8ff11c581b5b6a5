using Wharf.Core.Storage;

namespace Wharf.Storage.FileSystem;

/// <summary>Writes one file; <see cref="CommitAsync"/> fsyncs it.</summary>
internal sealed class FileSystemWriter(FileStream stream, string fullPath) : IStorageWriter
{
    // Start writeback every 32 MiB so the final fsync waits only for the tail: a 1 GiB push would
    // otherwise spend its last second flushing everything at once instead of overlapping it.
    private const long WritebackStride = 32 * 1024 * 1024;
    private long _writebackFrom = stream.Position;

    public long Size => stream.Length;

    /// <summary>Files have no version: one process writes an upload at a time (the in-process upload lock).</summary>
    public string? Version => null;

    public string? BaseVersion => null;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(buffer, cancellationToken);
        var position = stream.Position;
        if (position - _writebackFrom >= WritebackStride)
        {
            Writeback.Start(stream.SafeFileHandle, _writebackFrom, position - _writebackFrom);
            _writebackFrom = position;
        }
    }

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
