using Wharf.Core.Storage;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// Writes one file; <see cref="CommitAsync"/> fsyncs it. When the disk fills, the file is cut back to where this
/// writer started (the bytes that were there before stay, the new ones go, and so does the space they took) and
/// <see cref="StorageFullException"/> is thrown. With <c>directWrites</c>, large bodies that start on a 4 KiB boundary
/// go to the disk through a <see cref="DirectAppender"/>; small ones always go through the page cache.
/// </summary>
internal sealed class FileSystemWriter(FileStream stream, string fullPath, bool directWrites) : IStorageWriter
{
    // Start writeback every 32 MiB so the final fsync waits only for the tail: a 1 GiB push would
    // otherwise spend its last second flushing everything at once instead of overlapping it.
    private const long WritebackStride = 32 * 1024 * 1024;

    // A write this large is a large body's block (BodyCopier hands them over 1 MiB at a time): it and what follows go direct.
    private const int DirectFrom = 512 * 1024;
    private readonly long _start = stream.Position;
    private long _writebackFrom = stream.Position;
    private long _end = stream.Position;
    private DirectAppender? _direct;
    private bool _directTried;

    public long Size => _end;

    /// <summary>Files have no version: one process writes an upload at a time (the in-process upload lock).</summary>
    public string? Version => null;

    public string? BaseVersion => null;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (directWrites && !_directTried && buffer.Length >= DirectFrom)
        {
            _directTried = true;
            _direct = DirectAppender.TryOpen(fullPath, _end);
        }

        try
        {
            if (_direct is not null)
            {
                await _direct.AppendAsync(buffer, cancellationToken);
                _end += buffer.Length;
                return;
            }

            await stream.WriteAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (StorageFullException.IsOutOfSpace(e))
        {
            throw await CutBackAsync(e);
        }

        _end += buffer.Length;
        if (_end - _writebackFrom >= WritebackStride)
        {
            Writeback.Start(stream.SafeFileHandle, _writebackFrom, _end - _writebackFrom);
            _writebackFrom = _end;
        }
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_direct is not null)
            {
                await _direct.FinishAsync(stream.SafeFileHandle, cancellationToken);
            }

            stream.Flush(flushToDisk: true);
        }
        catch (IOException e) when (StorageFullException.IsOutOfSpace(e))
        {
            throw await CutBackAsync(e);
        }
    }

    public async ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        if (_direct is not null)
        {
            await _direct.DisposeAsync();
            _direct = null;
        }

        await stream.DisposeAsync();
        File.Delete(fullPath);
    }

    /// <remarks>
    /// Bytes still staged for a direct write are written, so that a writer disposed without a commit leaves what it
    /// was given, as the page cache would (a later writer continues from there); if that fails they are lost, as
    /// uncommitted bytes may be.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        if (_direct is { } direct)
        {
            _direct = null;
            try
            {
                await direct.FinishAsync(stream.SafeFileHandle, CancellationToken.None);
            }
            catch (IOException)
            {
            }
            finally
            {
                await direct.DisposeAsync();
            }
        }

        await stream.DisposeAsync();
    }

    /// <summary>Gives back the space this writer took (shrinking a file needs none), so that the disk is not left full by a write that failed.</summary>
    private async ValueTask<StorageFullException> CutBackAsync(IOException cause)
    {
        if (_direct is not null)
        {
            await _direct.DisposeAsync();
            _direct = null;
        }

        stream.SetLength(_start);
        return new StorageFullException($"no space left on the disk writing '{Path.GetFileName(fullPath)}'", cause);
    }
}
