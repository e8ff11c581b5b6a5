using System.Buffers;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Writes one object. Bytes fill a part-sized buffer; a full buffer goes out as a multipart part while the
/// next one fills (up to <see cref="S3StorageOptions.PartsInFlight"/> parts at once). An object that never fills a part is written with one PutObject.
/// Continuing an object at an offset starts a new multipart upload at the same key whose first parts are
/// server-side copies of the kept bytes; a kept head under S3's 5 MiB part minimum is read back into the
/// buffer instead. The old object stays readable until the new one completes. See docs/design/s3.md.
/// </summary>
internal sealed class S3Writer(S3Driver driver, string key, long offset) : IStorageWriter
{
    private readonly int _partSize = driver.Options.PartSize;
    private readonly long _offset = offset;
    private readonly List<PartETag> _parts = [];
    private byte[]? _buffer;
    private int _filled;
    private string? _uploadId;
    private readonly Queue<(Task<PartETag> Part, byte[]? Buffer)> _inflight = new();
    private int _nextPart = 1;
    private bool _finished;

    public long Size { get; private set; } = offset;

    /// <summary>
    /// A random token stored with the object (user metadata <see cref="S3Driver.VersionMetadata"/>). Unlike an ETag
    /// (an MD5), two different contents can never share it.
    /// </summary>
    public string? Version { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Carries the kept head of the object over into this writer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_offset == 0)
        {
            return;
        }

        if (_offset < S3StorageOptions.MinimumPartSize)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_partSize);
            await S3Calls.RunAsync(async () =>
            {
                using var response = await driver.Client.GetObjectAsync(
                    new GetObjectRequest { BucketName = driver.Bucket, Key = key, ByteRange = new ByteRange(0, _offset - 1) }, cancellationToken);
                await response.ResponseStream.ReadExactlyAsync(_buffer.AsMemory(0, (int)_offset), cancellationToken);
                return true;
            }, cancellationToken);
            _filled = (int)_offset;
            return;
        }

        await BeginMultipartAsync(cancellationToken);
        _parts.AddRange(await S3Calls.RunAsync(
            () => S3Copy.CopyRangeAsync(driver, _uploadId!, key, key, _offset, 1, cancellationToken), cancellationToken));
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
        try
        {
            if (_uploadId is null)
            {
                await S3Calls.RunAsync(async () =>
                {
                    using var body = new MemoryStream(_buffer ?? [], 0, _filled, writable: false);
                    var put = new PutObjectRequest { BucketName = driver.Bucket, Key = key, InputStream = body, AutoCloseStream = false };
                    put.Metadata[S3Driver.VersionMetadata] = Version;
                    await driver.Client.PutObjectAsync(put, cancellationToken);
                    return true;
                }, cancellationToken);
                return;
            }

            if (_filled > 0 || (_parts.Count == 0 && _inflight.Count == 0))
            {
                await SendPartAsync(cancellationToken);
            }

            await DrainAsync(0);
            _parts.Sort((x, y) => x.PartNumber.GetValueOrDefault().CompareTo(y.PartNumber.GetValueOrDefault()));
            await S3Calls.RunAsync(() => driver.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = driver.Bucket,
                Key = key,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken), cancellationToken);
            _uploadId = null;
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
        await S3Calls.RunAsync(() => driver.Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = driver.Bucket, Key = key }, cancellationToken), cancellationToken);
    }

    /// <summary>Without a commit or cancel, keeps what was written (the contract lets a later writer continue it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished)
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

    private async Task BeginMultipartAsync(CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = driver.Bucket, Key = key };
        request.Metadata[S3Driver.VersionMetadata] = Version;
        var start = await S3Calls.RunAsync(() => driver.Client.InitiateMultipartUploadAsync(request, cancellationToken), cancellationToken);
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
        _buffer = null;
        _filled = 0;
        var part = S3Calls.RunAsync(async () =>
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var sent = await driver.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = driver.Bucket,
                Key = key,
                UploadId = _uploadId,
                PartNumber = number,
                InputStream = body,
                PartSize = length,
            }, cancellationToken);
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
            await S3Copy.AbortQuietlyAsync(driver, key, id);
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
