using Amazon.S3;
using Amazon.S3.Model;

namespace Wharf.Storage.S3;

/// <summary>
/// The janitor's share of the driver: aborts multipart uploads nobody finished and removes data objects nothing points to
/// (left by a process that died between two requests). Run by the upload janitor on every sweep. See docs/design/s3.md.
/// </summary>
public sealed partial class S3Driver
{
    /// <summary>Nothing younger than this is touched, whatever the caller's cutoff: it bounds the clock skew and the longest publish.</summary>
    internal static readonly TimeSpan MinimumAbandonedAge = TimeSpan.FromMinutes(15);

    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private string? _scanAfter;

    /// <summary>How many keys of the data root one sweep examines; the next sweep continues after them (wrapping at the end).</summary>
    internal int ScanBatch { get; set; } = 10_000;

    public ValueTask<int> RemoveAbandonedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        CleanUpAsync(olderThan, deep: false, cancellationToken);

    public ValueTask<int> RemoveUnreferencedAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        CleanUpAsync(olderThan, deep: true, cancellationToken);

    private async ValueTask<int> CleanUpAsync(DateTimeOffset olderThan, bool deep, CancellationToken cancellationToken)
    {
        var floor = _time.GetUtcNow() - MinimumAbandonedAge;
        var limit = olderThan < floor ? olderThan : floor;
        var removed = await AbortStaleMultipartUploadsAsync(limit, cancellationToken);
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            removed += await ScanDataAsync(limit, cancellationToken, deep);
        }
        finally
        {
            _scanGate.Release();
        }

        return removed;
    }

    /// <summary>Every multipart upload Wharf starts targets a data object, so those under the data root are all there is to abort.</summary>
    private async Task<int> AbortStaleMultipartUploadsAsync(DateTimeOffset limit, CancellationToken cancellationToken)
    {
        var aborted = 0;
        var request = new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = PhysicalKey(DataRoot + "/") };
        ListMultipartUploadsResponse page;
        do
        {
            page = await S3Calls.RunAsync(ct => _client.ListMultipartUploadsAsync(request, ct), cancellationToken);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                if (Utc(upload.Initiated) < limit)
                {
                    await S3Calls.RunAsync(async ct =>
                    {
                        try
                        {
                            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = upload.Key, UploadId = upload.UploadId }, ct);
                        }
                        catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
                        {
                        }

                        return true;
                    }, cancellationToken);
                    aborted++;
                }
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
        while (page.IsTruncated == true);

        return aborted;
    }

    /// <summary>
    /// Lists the data root from where the last sweep stopped. A data object and its fate object are adjacent in key order
    /// (<c>x</c>, <c>x.fate</c>), so one pass sees each data object with its fate.
    /// </summary>
    /// <remarks>A <paramref name="deep"/> scan starts at the beginning, goes to the end, and leaves the sweeps' place alone.</remarks>
    private async Task<int> ScanDataAsync(DateTimeOffset limit, CancellationToken cancellationToken, bool deep = false)
    {
        var removed = 0;
        var examined = 0;
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = PhysicalKey(DataRoot + "/"), StartAfter = deep ? null : _scanAfter };
        (string DataKey, S3Object? Data, S3Object? Fate)? group = null;
        string? done = _scanAfter;
        ListObjectsV2Response page;
        do
        {
            page = await S3Calls.RunAsync(ct => _client.ListObjectsV2Async(request, ct), cancellationToken);
            foreach (var o in page.S3Objects ?? [])
            {
                var isFate = o.Key.EndsWith(FateSuffix, StringComparison.Ordinal);
                var dataKey = isFate ? o.Key[..^FateSuffix.Length] : o.Key;
                if (group is { } open && open.DataKey == dataKey && isFate)
                {
                    group = open with { Fate = o };
                    continue;
                }

                if (group is { } finished)
                {
                    removed += await ExamineAsync(Relative(finished.DataKey), finished.Data, finished.Fate, limit, cancellationToken, deep);
                    done = finished.Fate?.Key ?? finished.DataKey;
                    if (!deep && ++examined >= ScanBatch)
                    {
                        _scanAfter = done;
                        return removed;
                    }
                }

                group = isFate ? (dataKey, null, o) : (dataKey, o, null);
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);

        if (group is { } last)
        {
            removed += await ExamineAsync(Relative(last.DataKey), last.Data, last.Fate, limit, cancellationToken, deep);
        }

        if (!deep)
        {
            _scanAfter = null;
        }

        return removed;
    }

    /// <summary>Decides about one data object (or a fate object whose data object is gone). Returns how many data objects went.</summary>
    private async Task<int> ExamineAsync(string dataPath, S3Object? data, S3Object? fate, DateTimeOffset limit, CancellationToken cancellationToken, bool deep)
    {
        if (fate is not null)
        {
            if (Utc(fate.LastModified) >= limit)
            {
                return 0;
            }

            if (data is null && await HeadAsync(PhysicalKey(dataPath), cancellationToken) is null)
            {
                // A delete died between removing the data object and its fate object.
                await DeleteKeyAsync(fate.Key, cancellationToken);
                return 0;
            }

            switch (StateOfSize(fate.Size ?? -1))
            {
                case FateState.Doomed:
                    await DeleteDataAsync(dataPath, cancellationToken);
                    return 1;
                case FateState.Claimed:
                    return await ResolveStaleClaimAsync(dataPath, cancellationToken);
                default:
                    // live: the destination's pointer owns it, unless a delete of the destination died before releasing it.
                    return deep ? await ReleaseIfDestinationLetGoAsync(dataPath, cancellationToken) : 0;
            }
        }

        if (data is null || Utc(data.LastModified) >= limit)
        {
            return 0;
        }

        var owner = OwnerOf(dataPath);
        if (await NamesAsync(PhysicalKey(owner), dataPath, cancellationToken))
        {
            return 0; // named by the pointer or segment list it was written for: an upload in progress, or an object written directly
        }

        // A writer died before writing its pointer, or a pointer was replaced without releasing it.
        await ReleaseDataAsync(dataPath, owner, cancellationToken);
        return await HeadAsync(PhysicalKey(dataPath), cancellationToken) is null ? 1 : 0;
    }

    /// <summary>A live data object whose destination no longer names it (its delete died after removing the pointer) is released.</summary>
    private async Task<int> ReleaseIfDestinationLetGoAsync(string dataPath, CancellationToken cancellationToken)
    {
        if (await ReadFateAsync(dataPath, cancellationToken) is not { State: FateState.Live, Destination: { } destination }
            || (await HeadAsync(PhysicalKey(destination), cancellationToken))?.Data == dataPath)
        {
            return 0;
        }

        await ReleaseDataAsync(dataPath, destination, cancellationToken);
        return await HeadAsync(PhysicalKey(dataPath), cancellationToken) is null ? 1 : 0;
    }

    /// <summary>
    /// A claim older than the limit belongs to a publish that died (a live one gives up after <see cref="PublishDeadline"/>).
    /// If it got as far as its pointer, finish it; otherwise nothing names the data object but perhaps its expired upload.
    /// </summary>
    private async Task<int> ResolveStaleClaimAsync(string dataPath, CancellationToken cancellationToken)
    {
        if (await ReadFateAsync(dataPath, cancellationToken) is not { State: FateState.Claimed } claim)
        {
            return 0;
        }

        var owner = PhysicalKey(OwnerOf(dataPath));
        var ownerNamesIt = await NamesAsync(owner, dataPath, cancellationToken);
        if (claim.Destination is { } destination && (await HeadAsync(PhysicalKey(destination), cancellationToken))?.Data == dataPath)
        {
            if (ownerNamesIt)
            {
                await DeleteKeyAsync(owner, cancellationToken);
            }

            await MarkLiveAsync(dataPath, destination, claim.Token ?? NewToken(), cancellationToken);
            return 0;
        }

        if (ownerNamesIt)
        {
            await DeleteKeyAsync(owner, cancellationToken); // its upload expired long ago: the claim is older than the expiry
        }

        await DeleteDataAsync(dataPath, cancellationToken);
        return 1;
    }
}
