using System.Runtime.CompilerServices;
using Wharf.Core.Storage;

namespace Wharf.Storage.FileSystem;

/// <summary>
/// Stores objects as files under one root directory. Writes go to their final name only through
/// <see cref="MoveAsync"/>, an atomic rename followed by an fsync of the directory.
/// </summary>
public sealed class FileSystemDriver : IStorageDriver
{
    private readonly string _root;
    private readonly bool _directWrites;

    /// <param name="root">The directory holding every object.</param>
    /// <param name="directWrites">Write large bodies with <c>O_DIRECT</c>, past the page cache (<c>Storage:FileSystem:DirectWrites</c>).</param>
    public FileSystemDriver(string root, bool directWrites = false)
    {
        _root = Path.GetFullPath(root);
        _directWrites = directWrites;
        Directory.CreateDirectory(_root);
    }

    /// <summary>Lets go of the idle staging blocks of direct writes (the memory trimmer calls it after a burst of pushes).</summary>
    public static void TrimIdleBuffers() => DirectBuffers.Trim();

    public ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var full = Full(path);
        var info = new FileInfo(full);
        return ValueTask.FromResult<StorageObjectInfo?>(info.Exists
            ? new StorageObjectInfo(info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)) { LocalPath = full }
            : null);
    }

    public ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(Full(path), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
            if (offset > 0)
            {
                stream.Position = offset;
            }

            return ValueTask.FromResult<Stream?>(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException
            || e is UnauthorizedAccessException && Directory.Exists(Full(path)))
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    public string? LocalFilePath(string path) => Full(path);

    /// <remarks>
    /// The file is changed in place only when this is its one name. A publish links an upload's file to its blob's name
    /// and then removes the upload's name; a kill in between leaves both names on one file, and a client that then
    /// sends the unanswered commit again writes to the upload. Truncating or appending there would change the blob
    /// (a second kill mid-write would leave it damaged under its digest), so the upload first gets a file of its own.
    /// </remarks>
    public ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var full = Full(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var stream = OpenForWriting(full, offset);
        if (LinkCount.Of(stream.SafeFileHandle) > 1)
        {
            stream.Dispose();
            Detach(full, offset);
            stream = OpenForWriting(full, offset);
        }

        var length = stream.Length;
        if (length < offset)
        {
            stream.Dispose();
            throw new IOException($"'{path}' holds fewer than {offset} bytes");
        }

        if (length > offset)
        {
            stream.SetLength(offset);
        }

        stream.Position = offset;
        return ValueTask.FromResult<IStorageWriter>(new FileSystemWriter(stream, full, _directWrites));
    }

    /// <summary>Opens the file to write, without truncating it yet (<see cref="OpenWriterAsync"/> checks its names first).</summary>
    private static FileStream OpenForWriting(string full, long offset) => new(full, new FileStreamOptions
    {
        Mode = offset == 0 ? FileMode.OpenOrCreate : FileMode.Open,
        Access = FileAccess.Write,
        Share = FileShare.Read | FileShare.Delete,
        Options = FileOptions.Asynchronous,
        BufferSize = 0,
    });

    /// <summary>Gives the name <paramref name="full"/> a new file holding the first <paramref name="keep"/> bytes of the one it shares; the other names keep theirs untouched.</summary>
    private static void Detach(string full, long keep)
    {
        // A random name beside it, shaped like an upload's: a copy cut off by a crash is swept as an upload file no session owns.
        var copy = Path.Join(Path.GetDirectoryName(full), Guid.NewGuid().ToString("N"));
        try
        {
            File.Copy(full, copy);
            using (var target = new FileStream(copy, FileMode.Open, FileAccess.Write))
            {
                target.SetLength(Math.Min(keep, target.Length));
            }

            File.Move(copy, full, overwrite: true);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    public ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var from = Full(source);
        if (!File.Exists(from))
        {
            throw new FileNotFoundException($"Nothing to move at '{source}'", source);
        }

        var to = Full(destination);
        var directory = Path.GetDirectoryName(to)!;
        Directory.CreateDirectory(directory);
        File.Move(from, to, overwrite: true);
        DirectorySync.Sync(directory);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A rename that never replaces: an existing destination is kept (content addressing: the same bytes) and the
    /// source deleted. Files have no versions, so only a null <paramref name="expectedVersion"/> matches.
    /// </summary>
    public ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        var from = Full(source);
        var to = Full(destination);
        if (!File.Exists(from))
        {
            return ValueTask.FromResult(PublishOutcome.SourceMissing);
        }

        if (expectedVersion is not null)
        {
            return ValueTask.FromResult(PublishOutcome.SourceChanged);
        }

        var directory = Path.GetDirectoryName(to)!;
        Directory.CreateDirectory(directory);
        try
        {
            // Exclusive: of concurrent publishes to one destination exactly one places its file.
            if (ExclusiveMove.TryMove(from, to))
            {
                DirectorySync.Sync(directory);
                return ValueTask.FromResult(PublishOutcome.Published);
            }
        }
        catch (FileNotFoundException)
        {
            return ValueTask.FromResult(PublishOutcome.SourceMissing);
        }

        File.Delete(from);
        return ValueTask.FromResult(PublishOutcome.DestinationExisted);
    }

    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var full = Full(path);
        if (File.Exists(full))
        {
            File.Delete(full);
        }
        else if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var full = Full(prefix);
        if (!Directory.Exists(full))
        {
            yield break;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(full))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Path.GetFileName(entry);
        }

        await Task.CompletedTask;
    }

    /// <summary>Files are served by the registry itself (zero-copy): no redirect.</summary>
    public ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken)
    {
        _ = Full(path);
        return ValueTask.FromResult<Uri?>(null);
    }

    private string Full(string path)
    {
        if (path.Length == 0 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"Not a valid storage path: '{path}'", nameof(path));
        }

        return Path.Join(_root, path);
    }
}
