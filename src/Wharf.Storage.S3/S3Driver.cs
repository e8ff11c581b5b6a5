using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Objects in an S3-compatible bucket under <c>{Prefix}/</c>: small objects inline at their path's key, larger ones as
/// immutable data objects named by a pointer at the path's key, so that publishing an upload under its digest copies
/// nothing. Writers buffer into multipart parts. See docs/design/s3.md.
/// </summary>
public sealed partial class S3Driver : IStorageDriver, IStorageCleanup, IContentAddressedWrites, IDisposable
{
    /// <summary>User metadata holding the writer's version token (see <see cref="StorageObjectInfo.Version"/>).</summary>
    public const string VersionMetadata = "x-amz-meta-wharf-version";

    private readonly IAmazonS3 _client;
    private readonly string _keyPrefix;
    private readonly TimeProvider _time;

    public S3Driver(S3StorageOptions options, TimeProvider time)
        : this(S3ClientFactory.Create(options), options, time)
    {
    }

    public S3Driver(IAmazonS3 client, S3StorageOptions options, TimeProvider time)
    {
        _client = client;
        Options = options;
        _time = time;
        _keyPrefix = options.Prefix.Length == 0 ? "" : options.Prefix + "/";
    }

    internal S3StorageOptions Options { get; }

    internal IAmazonS3 Client => _client;

    /// <summary>The SDK client, for tests that inspect the bucket directly.</summary>
    public IAmazonS3 ClientForTests => _client;

    internal string Bucket => Options.Bucket;

    /// <summary>Creates the bucket unless it exists.</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        await S3Calls.RunAsync(async ct =>
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, ct);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }

            return true;
        }, cancellationToken);
    }

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken) =>
        await HeadAsync(Key(path), cancellationToken) is { } head ? new StorageObjectInfo(head.Size, head.LastModified, head.Version) : null;

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var key = Key(path);
        var request = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        var response = await S3Calls.RunAsync(async ct =>
        {
            try
            {
                return await _client.GetObjectAsync(request, ct);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e) || e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // Not found, or a range beyond an inline object's end or of an (empty) pointer: the HEAD below tells which.
                return null;
            }
        }, cancellationToken);
        S3Layout layout;
        if (response is null)
        {
            if (await LayoutAsync(key, cancellationToken) is not { } stat)
            {
                return null;
            }

            layout = stat;
        }
        else
        {
            var head = Describe(response.ContentLength, response.LastModified, response.ETag, response.Metadata);
            if (!head.IsPointer && !head.IsList)
            {
                return new S3ReadStream(response);
            }

            S3Layout? read;
            using (response)
            {
                // A ranged GET of a segment list returned part of its body: the list is read again whole.
                read = !head.IsList || offset == 0 ? await LayoutOfAsync(response, cancellationToken) : await ReadLayoutAsync(key, cancellationToken);
            }

            if (read is null)
            {
                return null;
            }

            layout = read;
        }

        if (layout.IsInline)
        {
            return layout.Head.Size == offset ? new MemoryStream([], false) : null;
        }

        // A pointer can be replaced, and the data object it named released, between reading the one and the other
        // (a move or rewrite of the path): then the path's new object is what a reader gets, never nothing.
        await FaultAsync("read.pointer-read");
        for (var attempt = 1; ; attempt++)
        {
            if (await OpenLayoutAsync(layout, offset, cancellationToken) is { } stream)
            {
                return stream;
            }

            if (attempt == 3 || await LayoutAsync(key, cancellationToken) is not { IsInline: false } again || again.Segments.SequenceEqual(layout.Segments))
            {
                return null;
            }

            layout = again;
        }
    }

    /// <summary>Reads a pointer's data object, or a segment list's data objects in turn, from <paramref name="offset"/>; null if the (first) one is gone.</summary>
    private async Task<Stream?> OpenLayoutAsync(S3Layout layout, long offset, CancellationToken cancellationToken)
    {
        if (layout.Head.IsPointer)
        {
            return await OpenDataAsync(layout.Head.Data!, layout.Head.Size, offset, cancellationToken);
        }

        return offset > layout.Head.Size ? null : await S3SegmentStream.OpenAsync(this, layout.Segments, offset, cancellationToken);
    }

    /// <summary>Objects live in the bucket, not on a local file system.</summary>
    public string? LocalFilePath(string path)
    {
        _ = Key(path);
        return null;
    }

    public async ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return await StartAsync(new S3Writer(this, path, offset), cancellationToken);
    }

    /// <summary>A create-only writer at the destination: one PutObject for a small blob instead of an upload, a copy and a delete.</summary>
    public async ValueTask<IStorageWriter> OpenContentWriterAsync(string destination, CancellationToken cancellationToken) =>
        await StartAsync(new S3Writer(this, destination, 0, createOnly: true), cancellationToken);

    /// <summary>Starts a writer; one that fails to start is dropped without writing anything.</summary>
    private static async Task<IStorageWriter> StartAsync(S3Writer writer, CancellationToken cancellationToken)
    {
        try
        {
            await writer.StartAsync(cancellationToken);
            return writer;
        }
        catch
        {
            await writer.AbandonAsync();
            throw;
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = Key(prefix) + "/";
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = directory, Delimiter = "/" };
        do
        {
            var page = await S3Calls.RunAsync(ct => _client.ListObjectsV2Async(request, ct), cancellationToken);
            foreach (var common in page.CommonPrefixes ?? [])
            {
                yield return common[directory.Length..].TrimEnd('/');
            }

            foreach (var o in page.S3Objects ?? [])
            {
                yield return o.Key[directory.Length..];
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Test hook: called at named steps of multi-request operations, so tests can stop one there as a crash would.</summary>
    internal Func<string, ValueTask>? Faults { get; set; }

    internal ValueTask FaultAsync(string step) => Faults?.Invoke(step) ?? ValueTask.CompletedTask;

    /// <summary>Reads bytes [<paramref name="first"/>, <paramref name="last"/>] of a data object (a segment); null if it is gone.</summary>
    internal Task<Stream?> OpenDataRangeAsync(string dataPath, long first, long last, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = PhysicalKey(dataPath), ByteRange = new ByteRange(first, last) };
        return S3Calls.RunAsync(async ct =>
        {
            try
            {
                return (Stream?)new S3ReadStream(await _client.GetObjectAsync(request, ct));
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken);
    }

    /// <summary>Reads a data object from <paramref name="offset"/>; null if it is gone (a pointer left dangling by a crash).</summary>
    private async Task<Stream?> OpenDataAsync(string dataPath, long size, long offset, CancellationToken cancellationToken)
    {
        if (offset >= size)
        {
            return offset == size ? new MemoryStream([], false) : null;
        }

        var request = new GetObjectRequest { BucketName = Bucket, Key = PhysicalKey(dataPath) };
        if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        return await S3Calls.RunAsync(async ct =>
        {
            try
            {
                return (Stream?)new S3ReadStream(await _client.GetObjectAsync(request, ct));
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken);
    }
}
