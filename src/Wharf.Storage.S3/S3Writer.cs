using System.Buffers;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Writes one object. Bytes fill a part-sized buffer; a full buffer goes out as a multipart part of a fresh data object
/// while the next one fills (up to <see cref="S3StorageOptions.PartsInFlight"/> parts at once). At commit an object under
/// 5 MiB is written inline with one PutObject; anything larger completes its data object and then writes the pointer
/// at the path. Continuing an object at an offset starts a new data object whose first parts are server-side copies of
/// the kept bytes; a kept head under S3's 5 MiB part minimum is read back into the buffer instead. The old object stays
/// readable until the new pointer replaces it, and its data object is then released. A create-only writer (a content
/// writer, or the copy of a small upload being published) places its object only if the path holds none, and discards
/// everything it wrote when disposed or cancelled before its commit. See docs/design/s3.md.
/// </summary>
internal sealed class S3Writer(S3Driver driver, string path, long offset, bool createOnly = false) : IStorageWriter
{
    private readonly int _partSize = driver.Options.PartSize;
    private readonly long _offset = offset;
    private readonly string _key = driver.Key(path);
    private readonly List<PartETag> _parts = [];
    private readonly Queue<(Task<PartETag> Part, byte[]? Buffer)> _inflight = new();
    private Task<S3Layout?> _previous = Task.FromResult<S3Layout?>(null);
    private List<S3Segment> _kept = [];
    private long _keptLength;
    private string? _dataPath;
    private byte[]? _buffer;
    private int _filled;
    private string? _uploadId;
    private int _nextPart = 1;
    private bool _finished;

    public long Size { get; private set; } = offset;


    /// <summary>
    /// A random token stored with the object (user metadata <see cref="S3Driver.VersionMetadata"/>). Unlike an ETag
    /// (an MD5), two different contents can never share it.
    /// </summary>
    public string? Version { get; } = S3Driver.NewToken();

    public string? BaseVersion { get; private set; }

    /// <summary>With createOnly: after the commit, true if an object was already at the path (this writer's bytes were dropped).</summary>
    public bool DestinationExisted { get; private set; }

    private string DataKey => driver.PhysicalKey(_dataPath ??= S3Driver.NewDataPath(path));

    /// <summary>Learns what the path holds now (to release its data objects later) and carries the kept head over.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_offset == 0)
        {
            // Overlaps the first bytes arriving; awaited at commit. A create-only writer replaces nothing.
            _previous = createOnly ? _previous : driver.LayoutAsync(_key, cancellationToken);
            return;
        }

        // One GET: a pointer is empty and a list small, and an inline head is read again below with its own range.
        var previous = await driver.ReadLayoutAsync(_key, cancellationToken)
            ?? throw new FileNotFoundException($"Cannot continue '{path}' at {_offset}: it does not exist", path);
        if (previous.Head.Size < _offset)
        {
            throw new IOException($"Cannot continue '{path}' at {_offset}: it holds {previous.Head.Size} bytes");
        }

        _previous = Task.FromResult<S3Layout?>(previous);
        BaseVersion = previous.Head.Version;
        if (previous.IsInline)
        {
            await ContinueInlineAsync(previous.Head, cancellationToken);
            return;
        }

        // The kept bytes stay where they are, as segments of the data objects that hold them: nothing is copied, so n
        // chunks cost n writes instead of n²/2 copies. Only the last segment may be under S3's 5 MiB part minimum (so
        // that the list can be assembled by copying each segment once): a shorter one is read back and written again
        // with the new bytes, at most 5 MiB per chunk.
        _kept = S3Segments.Truncate(previous.Segments, _offset);
        var last = _kept[^1];
        if (last.Length < S3StorageOptions.MinimumPartSize)
        {
            _kept.RemoveAt(_kept.Count - 1);
            _buffer = ArrayPool<byte>.Shared.Rent(_partSize);
            await using var stream = await driver.OpenDataRangeAsync(last.Data, 0, last.Length - 1, cancellationToken)
                ?? throw new FileNotFoundException($"Cannot continue '{path}' at {_offset}: its data object is gone", path);
            await stream.ReadExactlyAsync(_buffer.AsMemory(0, (int)last.Length), cancellationToken);
            _filled = (int)last.Length;
        }

        _keptLength = S3Segments.TotalLength(_kept);
    }

    /// <summary>Continues an inline object: its head is read back (under 5 MiB), or copied server-side (an inline object this large was written by something else).</summary>
    private async Task ContinueInlineAsync(S3Head previous, CancellationToken cancellationToken)
    {
        // An inline object might change, so its copy is pinned to the ETag just seen.
        var etag = previous.ETag;
        if (_offset < S3StorageOptions.MinimumPartSize)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_partSize);
            await S3Calls.RunAsync(async ct =>
            {
                using var response = await driver.Client.GetObjectAsync(
                    new GetObjectRequest { BucketName = driver.Bucket, Key = _key, ByteRange = new ByteRange(0, _offset - 1), EtagToMatch = etag },
                    ct);
                await response.ResponseStream.ReadExactlyAsync(_buffer.AsMemory(0, (int)_offset), ct);
                // The version of exactly the bytes read (the ETag alone could match other bytes of the same MD5).
                BaseVersion = S3Driver.Describe(response.ContentLength, response.LastModified, response.ETag, response.Metadata).Version;
                return true;
            }, cancellationToken);
            _filled = (int)_offset;
            return;
        }

        await BeginMultipartAsync(cancellationToken);
        _parts.AddRange(await S3Calls.RunAsync(
            ct => S3Copy.CopyRangeAsync(driver, _uploadId!, _key, DataKey, 0, _offset, 1, ct, etag), cancellationToken));
        _nextPart = _parts.Count + 1;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_partSize);
            var n = Math.Min(buffer.Length, _partSize - _filled);
            buffer.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            Size += n;
            buffer = buffer[n..];
            if (_filled == _partSize)
            {
                await SendPartAsync(cancellationToken);
            }
        }
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        driver.ForgetRedirect(path);
        try
        {
            bool written;
            if (_kept.Count > 0)
            {
                await CommitListAsync(cancellationToken);
                written = true;
            }
            else if (_uploadId is null && Size < S3Driver.InlineLimit)
            {
                written = await PutInlineAsync(cancellationToken);
            }
            else
            {
                await CompleteDataAsync(cancellationToken);
                await driver.FaultAsync("writer.data-complete");
                written = await driver.WritePointerAsync(_key, _dataPath!, Size, Version!, createOnly, cancellationToken)
                    || await IsOursAsync(cancellationToken);
                if (!written)
                {
                    // Create-only and something was there: this data object was never named by anything.
                    await driver.DeleteDataAsync(_dataPath!, cancellationToken);
                }
            }

            DestinationExisted = !written;
            if (written && await PreviousAsync() is { } replaced)
            {
                // Data objects the new object no longer names (a pointer's, or segments dropped by a continuation at an earlier offset).
                var dropped = replaced.Segments.Where(s => s.Data != _dataPath && !_kept.Exists(k => k.Data == s.Data)).ToList();
                if (dropped.Count > 0)
                {
                    await driver.ReleaseAllAsync(dropped, path, cancellationToken);
                }
            }
        }
        catch
        {
            await AbortAsync();
            throw;
        }
        finally
        {
            ReturnBuffers();
        }
    }

    public async ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        _finished = true;
        await AbortAsync();
        ReturnBuffers();
        if (!createOnly)
        {
            // A create-only writer never placed anything at the path before its commit: what is there is someone else's.
            await driver.DeleteAsync(path, cancellationToken);
        }
    }

    /// <summary>Drops a writer that failed to start: nothing was written, and nothing is.</summary>
    public async ValueTask AbandonAsync()
    {
        _finished = true;
        await AbortAsync();
        ReturnBuffers();
    }

    /// <summary>
    /// Without a commit or cancel, keeps what was written (the contract lets a later writer continue it), except in a
    /// create-only writer: its path is content-addressed, and bytes nobody verified must never appear there.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished && createOnly)
        {
            await AbandonAsync();
        }
        else if (!_finished)
        {
            try
            {
                using var timeout = new CancellationTokenSource(driver.Options.RequestTimeout);
                await CommitAsync(timeout.Token);
            }
#pragma warning disable CA1031 // Disposal must not throw over the fault that caused it; the upload is cut back to its recorded size anyway.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        ReturnBuffers();
    }

    /// <summary>The kept segments, then this writer's own bytes as one more data object (if it has any), as a segment list at the path.</summary>
    private async Task CommitListAsync(CancellationToken cancellationToken)
    {
        var segments = new List<S3Segment>(_kept);
        var own = Size - _keptLength;
        if (own > 0)
        {
            await CompleteDataAsync(cancellationToken);
            segments.Add(new S3Segment(_dataPath!, own));
        }

        await driver.FaultAsync("writer.data-complete");
        await driver.WriteListAsync(_key, segments, Version!, cancellationToken);
    }

    private async Task<bool> PutInlineAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(_buffer ?? [], 0, _filled, writable: false);
        var put = new PutObjectRequest { BucketName = driver.Bucket, Key = _key, InputStream = body, AutoCloseStream = false };
        put.Metadata[S3Driver.VersionMetadata] = Version;
        return createOnly
            ? await driver.TryCreateAsync(put, cancellationToken) || await IsOursAsync(cancellationToken)
            : await driver.PutAsync(put, cancellationToken);
    }

    /// <summary>After a create-only write answered "exists": whether it is this writer's own object (a retried request whose first answer was lost).</summary>
    private async Task<bool> IsOursAsync(CancellationToken cancellationToken) =>
        (await driver.HeadAsync(_key, cancellationToken))?.Version == Version;

    /// <summary>Makes the data object whole: one PutObject if it never filled a part, else the last part and CompleteMultipartUpload.</summary>
    private async Task CompleteDataAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            using var body = new MemoryStream(_buffer ?? [], 0, _filled, writable: false);
            await driver.PutAsync(new PutObjectRequest { BucketName = driver.Bucket, Key = DataKey, InputStream = body, AutoCloseStream = false }, cancellationToken);
            return;
        }

        if (_filled > 0 || (_parts.Count == 0 && _inflight.Count == 0))
        {
            await SendPartAsync(cancellationToken);
        }

        await DrainAsync(0);
        _parts.Sort((x, y) => x.PartNumber.GetValueOrDefault().CompareTo(y.PartNumber.GetValueOrDefault()));
        await S3Calls.RunAsync(ct => driver.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = driver.Bucket,
            Key = DataKey,
            UploadId = _uploadId,
            PartETags = _parts,
        }, ct), cancellationToken);
        _uploadId = null;
    }

    private async Task BeginMultipartAsync(CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = driver.Bucket, Key = DataKey };
        var start = await S3Calls.RunAsync(ct => driver.Client.InitiateMultipartUploadAsync(request, ct), cancellationToken);
        _uploadId = start.UploadId;
    }

    /// <summary>Sends the filled buffer as the next part, once fewer than the allowed parts are in flight.</summary>
    private async Task SendPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            await BeginMultipartAsync(cancellationToken);
        }

        await DrainAsync(driver.Options.PartsInFlight - 1);
        var buffer = _buffer ?? [];
        var length = _filled;
        var number = _nextPart++;
        var owned = _buffer;
        var key = DataKey;
        var uploadId = _uploadId;
        _buffer = null;
        _filled = 0;
        var part = S3Calls.RunAsync(async ct =>
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var sent = await driver.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = driver.Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = number,
                InputStream = body,
                PartSize = length,
            }, ct);
            return new PartETag(number, sent.ETag);
        }, cancellationToken);
        _inflight.Enqueue((part, owned));
    }

    /// <summary>Waits for parts in flight, oldest first, until at most <paramref name="remaining"/> are; returns their buffers.</summary>
    private async Task DrainAsync(int remaining)
    {
        while (_inflight.Count > remaining)
        {
            var (part, buffer) = _inflight.Dequeue();
            try
            {
                _parts.Add(await part);
            }
            finally
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    private async Task AbortAsync()
    {
        while (_inflight.Count > 0)
        {
            try
            {
                await DrainAsync(_inflight.Count - 1);
            }
#pragma warning disable CA1031 // The upload is being abandoned; the part's failure no longer matters.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        if (_uploadId is { } id)
        {
            _uploadId = null;
            await S3Copy.AbortQuietlyAsync(driver, DataKey, id);
        }

        await PreviousAsync();
    }

    /// <summary>
    /// What the path held before this writer, or null when that is unknown: the HEAD may have failed, and then a replaced
    /// data object is not released here but found by the janitor (nothing names it any more).
    /// </summary>
    private async Task<S3Layout?> PreviousAsync()
    {
        try
        {
            return await _previous;
        }
#pragma warning disable CA1031 // Best effort, see above; the write itself has succeeded or failed on its own.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private void ReturnBuffers()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
