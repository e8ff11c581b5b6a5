using Amazon.S3;
using Amazon.S3.Model;

namespace Wharf.Storage.S3;

/// <summary>Moves (server-side copies) and deletes, which release the data objects of the pointers they remove.</summary>
public sealed partial class S3Driver
{
    /// <summary>
    /// A server-side copy, then the source is deleted. A pointer's data is copied into a data object of the destination's
    /// own (two paths never share one without a claim), so every multipart upload Wharf starts is under the data root.
    /// Wharf commits uploads with <see cref="PublishAsync"/>, which copies nothing.
    /// </summary>
    public async ValueTask MoveAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var from = Key(source);
        var to = Key(destination);
        var head = await HeadAsync(from, cancellationToken)
            ?? throw new FileNotFoundException($"Cannot move '{source}': it does not exist", source);
        var previous = await HeadAsync(to, cancellationToken);
        try
        {
            if (head.IsPointer || head.Size >= InlineLimit)
            {
                // (An inline object this large was written by something else: it becomes a data object like any other.)
                var data = NewDataPath(destination);
                await CopyWholeAsync(head.IsPointer ? PhysicalKey(head.Data!) : from, PhysicalKey(data), head.Size, cancellationToken);
                await WritePointerAsync(to, data, head.Size, head.Version ?? NewToken(), createOnly: false, cancellationToken);
            }
            else
            {
                await CopyWholeAsync(from, to, head.Size, cancellationToken);
            }
        }
        catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
        {
            throw new FileNotFoundException($"Cannot move '{source}': it does not exist", source, e);
        }

        if (previous is { IsPointer: true } replaced)
        {
            await ReleaseDataAsync(replaced.Data!, destination, cancellationToken);
        }

        await DeleteKeyAsync(from, cancellationToken);
        if (head.IsPointer)
        {
            await ReleaseDataAsync(head.Data!, source, cancellationToken);
        }
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        if (await HeadAsync(key, cancellationToken) is { } head)
        {
            await DeleteKeyAsync(key, cancellationToken);
            if (head.IsPointer)
            {
                await FaultAsync("delete.pointer-deleted");
                await ReleaseDataAsync(head.Data!, path, cancellationToken);
            }
        }

        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = key + "/" };
        do
        {
            var page = await S3Calls.RunAsync(ct => _client.ListObjectsV2Async(request, ct), cancellationToken);
            var objects = page.S3Objects ?? [];
            var pointers = new List<(string Path, string Data)>();
            foreach (var empty in objects.Where(o => o.Size == 0))
            {
                if (await HeadAsync(empty.Key, cancellationToken) is { IsPointer: true } pointer)
                {
                    pointers.Add((Relative(empty.Key), pointer.Data!));
                }
            }

            if (objects.Count > 0)
            {
                await S3Calls.RunAsync(ct => _client.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = Bucket,
                    Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                    Quiet = true,
                }, ct), cancellationToken);
            }

            foreach (var (owner, data) in pointers)
            {
                await ReleaseDataAsync(data, owner, cancellationToken);
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <summary>A whole-object server-side copy: one CopyObject up to the threshold, a multipart copy above it (S3 copies at most 5 GiB at once).</summary>
    private Task CopyWholeAsync(string sourceKey, string destinationKey, long size, CancellationToken cancellationToken) =>
        S3Calls.RunAsync(async ct =>
        {
            if (size > Options.MultipartCopyThreshold)
            {
                await S3Copy.MultipartAsync(this, sourceKey, destinationKey, size, ct);
            }
            else
            {
                await _client.CopyObjectAsync(new CopyObjectRequest
                {
                    SourceBucket = Bucket,
                    SourceKey = sourceKey,
                    DestinationBucket = Bucket,
                    DestinationKey = destinationKey,
                }, ct);
            }

            return true;
        }, cancellationToken);
}
