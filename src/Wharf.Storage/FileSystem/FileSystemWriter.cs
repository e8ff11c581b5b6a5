using Wharf.Core.Storage;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// Writes one file; <see cref="CommitAsync"/> fsyncs it. When the disk fills, the file is cut back to where this
/// writer started (the bytes that were there before stay, the new ones go, and so does the space they took) and
/// <see cref="StorageFullException"/> is thrown.
/// </summary>
internal sealed class FileSystemWriter(FileStream stream, string fullPath) : IStorageWriter
{
    // Start writeback every 32 MiB so the final fsync waits only for the tail: a 1 GiB push would
    // otherwise spend its last second flushing everything at once instead of overlapping it.
    private const long WritebackStride = 32 * 1024 * 1024;
    private readonly long _start = stream.Position;
    private long _writebackFrom = stream.Position;

    public long Size => stream.Length;

    /// <summary>Files have no version: one process writes an upload at a time (the in-process upload lock).</summary>
    public string? Version => null;

    public string? BaseVersion => null;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (StorageFullException.IsOutOfSpace(e))
        {
            throw CutBack(e);
        }

        var position = stream.Position;
        if (position - _writebackFrom >= WritebackStride)
        {
            Writeback.Start(stream.SafeFileHandle, _writebackFrom, position - _writebackFrom);
            _writebackFrom = position;
        }
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e) when (StorageFullException.IsOutOfSpace(e))
        {
            throw CutBack(e);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        await stream.DisposeAsync();
        File.Delete(fullPath);
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    /// <summary>Gives back the space this writer took (shrinking a file needs none), so that the disk is not left full by a write that failed.</summary>
    private StorageFullException CutBack(IOException cause)
    {
        stream.SetLength(_start);
        return new StorageFullException($"no space left on the disk writing '{Path.GetFileName(fullPath)}'", cause);
    }
}
