using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Objects in an S3-compatible bucket, one S3 object per path (<c>{Prefix}/{path}</c>). Writers buffer into
/// multipart parts; moves are server-side copies. See docs/design/s3.md.
/// </summary>
public sealed class S3Driver : IStorageDriver, IDisposable
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
        await S3Calls.RunAsync(async () =>
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, cancellationToken);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }

            return true;
        }, cancellationToken);
    }

    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        return await S3Calls.RunAsync(async () =>
        {
            try
            {
                var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken);
                return new StorageObjectInfo(head.ContentLength, new DateTimeOffset(head.LastModified ?? DateTime.UtcNow), head.Metadata[VersionMetadata]);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return (StorageObjectInfo?)null;
            }
        }, cancellationToken);
    }

    public async ValueTask<Stream?> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var key = Key(path);
        return await S3Calls.RunAsync(async () =>
        {
            var request = new GetObjectRequest { BucketName = Bucket, Key = key };
            if (offset > 0)
            {
                request.ByteRange = new ByteRange($"bytes={offset}-");
            }

            try
            {
                var response = await _client.GetObjectAsync(request, cancellationToken);
                return (Stream?)new S3ReadStream(response);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // A read from the very end: S3 refuses the empty range, the contract wants an empty stream.
                return await StatAsync(path, cancellationToken) is { } info && info.Size == offset ? new MemoryStream([], false) : null;
            }
        }, cancellationToken);
    }

    /// <summary>Objects live in the bucket, not on a local file system.</summary>
    public string? LocalFilePath(string path)
    {
        StoragePath.Validate(path);
        return null;
    }

    public async ValueTask<Uri?> RedirectUrlAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        var url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = _time.GetUtcNow().Add(Options.RedirectLifetime).UtcDateTime,
            Protocol = new Uri(Options.Endpoint).Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    public async ValueTask<IStorageWriter> OpenWriterAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var key = Key(path);
        if (offset > 0)
        {
            var info = await StatAsync(path, cancellationToken)
                ?? throw new FileNotFoundException($"Cannot continue '{path}' at {offset}: it does not exist", path);
            if (info.Size < offset)
            {
                throw new IOException($"Cannot continue '{path}' at {offset}: it holds {info.Size} bytes");
            }
        }

        var writer = new S3Writer(this, key, offset);
        try
        {
            await writer.StartAsync(cancellationToken);
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var from = Key(source);
        var to = Key(destination);
        var info = await StatAsync(source, cancellationToken)
            ?? throw new FileNotFoundException($"Cannot move '{source}': it does not exist", source);
        await S3Calls.RunAsync(async () =>
        {
            try
            {
                if (info.Size > Options.MultipartCopyThreshold)
                {
                    await S3Copy.MultipartAsync(this, from, to, info.Size, cancellationToken);
                }
                else
                {
                    await _client.CopyObjectAsync(new CopyObjectRequest
                    {
                        SourceBucket = Bucket,
                        SourceKey = from,
                        DestinationBucket = Bucket,
                        DestinationKey = to,
                    }, cancellationToken);
                }
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                throw new FileNotFoundException($"Cannot move '{source}': it does not exist", source, e);
            }

            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = from }, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        await S3Calls.RunAsync(async () =>
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);
            var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = key + "/" };
            do
            {
                var page = await _client.ListObjectsV2Async(request, cancellationToken);
                var objects = page.S3Objects ?? [];
                if (objects.Count > 0)
                {
                    await _client.DeleteObjectsAsync(new DeleteObjectsRequest
                    {
                        BucketName = Bucket,
                        Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                        Quiet = true,
                    }, cancellationToken);
                }

                request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (request.ContinuationToken is not null);

            return true;
        }, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = Key(prefix) + "/";
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = directory, Delimiter = "/" };
        do
        {
            var page = await S3Calls.RunAsync(() => _client.ListObjectsV2Async(request, cancellationToken), cancellationToken);
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

    private string Key(string path) => _keyPrefix + StoragePath.Validate(path);
}
