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
        var layout = await LayoutAsync(from, cancellationToken)
            ?? throw new FileNotFoundException($"Cannot move '{source}': it does not exist", source);
        var head = layout.Head;
        var previous = await LayoutAsync(to, cancellationToken);
        ForgetRedirect(destination);
        try
        {
            if (head.IsList)
            {
                var data = NewDataPath(destination);
                await S3Copy.AssembleAsync(this, layout.Segments, PhysicalKey(data), cancellationToken);
                await WritePointerAsync(to, data, head.Size, head.Version ?? NewToken(), createOnly: false, cancellationToken);
            }
            else if (head.IsPointer || head.Size >= InlineLimit)
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

        if (previous is not null)
        {
            await ReleaseAllAsync(previous.Segments, destination, cancellationToken);
        }

        await DeleteLayoutAsync(from, source, layout, cancellationToken);
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        ForgetRedirect(path);
        if (await LayoutAsync(key, cancellationToken) is { } layout)
        {
            await DeleteLayoutAsync(key, path, layout, cancellationToken);
        }

        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = key + "/" };
        do
        {
            var page = await S3Calls.RunAsync(ct => _client.ListObjectsV2Async(request, ct), cancellationToken);
            var objects = page.S3Objects ?? [];
            var named = new List<(string Path, IReadOnlyList<S3Segment> Segments)>();
            // Pointers are empty and segment lists small; neither is under the data root (a listing shows no metadata).
            foreach (var candidate in objects.Where(o => o.Size < InlineLimit && !Relative(o.Key).StartsWith(DataRoot + "/", StringComparison.Ordinal)))
            {
                if (await LayoutAsync(candidate.Key, cancellationToken) is { IsInline: false } found)
                {
                    named.Add((Relative(candidate.Key), found.Segments));
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

            foreach (var (owner, segments) in named)
            {
                await ReleaseAllAsync(segments, owner, cancellationToken);
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <summary>Deletes the object at <paramref name="key"/> as <paramref name="layout"/> described it, then releases the data objects it named.</summary>
    internal async Task DeleteLayoutAsync(string key, string path, S3Layout layout, CancellationToken cancellationToken)
    {
        await DeleteKeyAsync(key, cancellationToken);
        if (!layout.IsInline)
        {
            await FaultAsync("delete.pointer-deleted");
            await ReleaseAllAsync(layout.Segments, path, cancellationToken);
        }
    }

    /// <summary>Releases every data object among <paramref name="segments"/> (each once) for <paramref name="formerOwner"/>.</summary>
    internal async Task ReleaseAllAsync(IReadOnlyList<S3Segment> segments, string formerOwner, CancellationToken cancellationToken)
    {
        if (segments.Count == 1)
        {
            await ReleaseDataAsync(segments[0].Data, formerOwner, cancellationToken);
            return;
        }

        await ReleaseManyAsync(segments.Select(s => s.Data), formerOwner, cancellationToken);
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
