using System.Security.Cryptography;
using Wharf.Core.Protocol;

namespace Wharf.Core.Mirror;

/// <summary>
/// One upstream fetch of one blob: the body is written to a temp file while it is hashed, and any number of readers
/// follow the file behind the writer. A reader gets the last byte only once the whole body's digest verified; if it does
/// not verify (or the upstream fails), every reader's next read throws, so no client ever receives a whole wrong blob.
/// The verified file is then stored through the push path while the fetch stays joinable: a reader that opens it during
/// the commit reads the verified file, and a commit that fails only means the blob is not cached. When the last reader
/// that had read something goes away with more than <paramref name="abandonedLimit"/> bytes still to come, the fetch is
/// cancelled.
/// </summary>
internal sealed class BlobFetch(Digest digest, string tempPath, long abandonedLimit = long.MaxValue)
{
    private const int BufferSize = 1024 * 1024; // a 1 MiB copy per read and write: fewer system calls than 64 KiB on a fast upstream

    private readonly TaskCompletionSource<long> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly CancellationTokenSource _abandon = new();
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private int _claimed;
    private bool _verified;
    private bool _removed;
    private bool _abandoned;
    private int _readers;
    private Exception? _failure;

    public Digest Digest { get; } = digest;

    /// <summary>
    /// True for exactly one caller: the one that runs the fetch. A concurrent dictionary may build a value more than once
    /// under contention, so building one must not start anything.
    /// </summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

    /// <summary>The blob's length once the upstream answered; faults with the upstream's failure.</summary>
    public Task<long> Started => _started.Task;

    /// <summary>Completes once the fetch has ended (stored or failed) and no new request can join it.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Called instead of <see cref="RunAsync"/> by the claimer that found the blob already stored: <see cref="Started"/> is cancelled, no reader opens.</summary>
    public void Withdraw()
    {
        lock (_gate)
        {
            _removed = true;
        }

        _started.TrySetCanceled();
    }

    /// <summary>Called by the owner once the fetch has left the single-flight map.</summary>
    public void MarkFinished() => _finished.TrySetResult();

    /// <summary>True once every client went away with too much left: the fetch is being cancelled and no one may join it.</summary>
    public bool Abandoned
    {
        get
        {
            lock (_gate)
            {
                return _abandoned;
            }
        }
    }

    /// <summary>
    /// Runs the fetch to its end: copies <paramref name="open"/>'s body into the temp file, verifies it, then hands the
    /// file to <paramref name="commit"/>. Never throws; the outcome is seen by readers and by the returned task's result.
    /// </summary>
    public async Task<bool> RunAsync(Func<CancellationToken, ValueTask<UpstreamBlob>> open, Func<string, long, CancellationToken, Task> commit, Action<long> counted, CancellationToken cancellationToken)
    {
        using var transfer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abandon.Token);
        try
        {
            var blob = await open(transfer.Token);
            await using (blob.Content)
            {
                await using var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
                _started.TrySetResult(blob.Length);
                using var hash = IncrementalHash.CreateHash(Digest.HashName(Digest.Algorithm));
                var buffer = new byte[BufferSize];
                long total = 0;
                int read;
                while ((read = await blob.Content.ReadAsync(buffer, transfer.Token)) > 0)
                {
                    if (total + read > blob.Length)
                    {
                        throw new UpstreamException(UpstreamFailure.Unavailable, $"the upstream sent more than the {blob.Length} bytes it announced for {Digest}");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), transfer.Token);
                    hash.AppendData(buffer, 0, read);
                    total += read;
                    counted(read);
                    Advance(total, verified: false);
                }

                await file.FlushAsync(transfer.Token);
                if (total != blob.Length)
                {
                    throw new UpstreamException(UpstreamFailure.Unavailable, $"the upstream sent {total} of the {blob.Length} bytes it announced for {Digest}");
                }

                var actual = Digest.FromHash(Digest.Algorithm, hash.GetHashAndReset());
                if (actual != Digest)
                {
                    throw new UpstreamException(UpstreamFailure.Unavailable, $"the upstream's content for {Digest} has digest {actual}");
                }

                // Verified: readers get their last byte now rather than after the store has written and synced the whole
                // blob again (on a fast link that doubled a cold pull).
                Advance(total, verified: true);
            }

            // Stored (verified again by the push path, published, indexed) while the fetch is still the one new requests
            // join, so a request meanwhile reads the verified temp file instead of fetching again. Whoever must know the
            // blob is stored waits for Finished (PullThroughCache.WaitForFetchesAsync), not for the last byte.
            await commit(tempPath, _written, cancellationToken);
            return true;
        }
        catch (Exception error)
        {
            Fail(error);
            return false;
        }
        finally
        {
            Remove();
        }
    }

    /// <summary>A stream following the fetch from its start, or null once the fetch is over and its file gone (then the blob is stored, or failed).</summary>
    public Stream? TryOpenReader()
    {
        lock (_gate)
        {
            if (_removed || _abandoned)
            {
                return null;
            }

            var file = new FileStream(tempPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            _readers++;
            return new FollowingStream(this, file);
        }
    }

    /// <summary>
    /// A reader closed. When it was the last one, had read something (a HEAD reads nothing and leaves the fetch running),
    /// and more than the limit is still to come, the fetch is cancelled: its file goes, and new requests start afresh.
    /// </summary>
    private void ReaderClosed(bool readAny)
    {
        lock (_gate)
        {
            _readers--;
            var left = (_started.Task.IsCompletedSuccessfully ? _started.Task.Result : long.MaxValue) - _written;
            if (_readers > 0 || !readAny || _verified || _removed || _failure is not null || left <= abandonedLimit)
            {
                return;
            }

            _abandoned = true;
        }

        // Never disposed (it has no timer): a cancel after the fetch ended does nothing.
        _abandon.Cancel();
    }

    private void Advance(long written, bool verified)
    {
        TaskCompletionSource progress;
        lock (_gate)
        {
            _written = written;
            _verified = verified;
            progress = _progress;
            _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        progress.TrySetResult();
    }

    private void Fail(Exception error)
    {
        TaskCompletionSource progress;
        lock (_gate)
        {
            _failure = error;
            progress = _progress;
        }

        _started.TrySetException(error);
        progress.TrySetResult();
    }

    private void Remove()
    {
        lock (_gate)
        {
            _removed = true;
        }

        // Readers holding the file open keep reading it; the name goes now.
        try
        {
            File.Delete(tempPath);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>How far a reader at <paramref name="position"/> may read: the bytes written, all but the last until verified.</summary>
    private (long Readable, bool End, Exception? Failure, Task Progress) State(long position)
    {
        lock (_gate)
        {
            var length = _started.Task.IsCompletedSuccessfully ? _started.Task.Result : long.MaxValue;
            var readable = _verified ? _written : Math.Min(_written, length - 1);
            // Once verified the bytes are the blob's whatever becomes of the commit: a reader finishes from the file it holds.
            return (readable, _verified && position >= _written, _verified ? null : _failure, _progress.Task);
        }
    }

    /// <summary>Reads the temp file no further than the fetch allows, waiting for more when it has caught up.</summary>
    private sealed class FollowingStream(BlobFetch fetch, FileStream file) : Stream
    {
        private long _position;
        private int _closed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var (readable, end, failure, progress) = fetch.State(_position);
                if (failure is not null)
                {
                    throw new IOException($"the upstream fetch of {fetch.Digest} failed: {failure.Message}", failure);
                }

                if (end)
                {
                    return 0;
                }

                if (readable > _position)
                {
                    var count = (int)Math.Min(buffer.Length, readable - _position);
                    var read = await file.ReadAsync(buffer[..count], cancellationToken);
                    _position += read;
                    return read;
                }

                await progress.WaitAsync(cancellationToken);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Release();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync()
        {
            Release();
            return base.DisposeAsync();
        }

        private void Release()
        {
            file.Dispose();
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                fetch.ReaderClosed(_position > 0);
            }
        }
    }
}
