using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>What may happen to a data object, decided once by whoever creates its fate object first.</summary>
internal enum FateState
{
    /// <summary>A publish is making the data object the bytes of <see cref="Fate.Destination"/>.</summary>
    Claimed,

    /// <summary>The publish finished: the destination's pointer names the data object, and only deleting the destination frees it.</summary>
    Live,

    /// <summary>Being deleted: nobody may point at it any more.</summary>
    Doomed,
}

internal readonly record struct Fate(FateState State, string? Destination, string? Token, DateTimeOffset LastModified);

/// <summary>
/// Fate objects (<c>{data path}.fate</c>): the single arbiter between a publish that wants to point a destination at
/// a data object and anyone who wants to delete it. Both create the fate object with <c>If-None-Match: *</c>, so
/// exactly one wins; a publish only writes its pointer after winning (<see cref="FateState.Claimed"/>), a delete only
/// deletes after winning (<see cref="FateState.Doomed"/>), and a doomed data object is deleted before its fate object,
/// so a claim made after that finds no data. The state is the body, and so also the size a listing shows
/// (claimed 7, live 4, doomed 6 bytes): the janitor passes over live data objects without a request. See docs/design/s3.md.
/// </summary>
public sealed partial class S3Driver
{
    internal const string FateSuffix = ".fate";
    private const string DestinationMetadata = "x-amz-meta-wharf-destination";
    private const string TokenMetadata = "x-amz-meta-wharf-token";

    internal static FateState? StateOfSize(long size) => size switch
    {
        7 => FateState.Claimed,
        4 => FateState.Live,
        6 => FateState.Doomed,
        _ => null,
    };

    private static string Body(FateState state) => state switch
    {
        FateState.Claimed => "claimed",
        FateState.Live => "live",
        _ => "doomed",
    };

    /// <summary>Creates the fate of <paramref name="dataPath"/> unless it has one; true if this call decided it.</summary>
    internal async Task<bool> TryDecideFateAsync(string dataPath, FateState state, string? destination, string token, CancellationToken cancellationToken)
    {
        if (await TryCreateAsync(FatePut(dataPath, state, destination, token), cancellationToken))
        {
            return true;
        }

        // A lost response of our own create, retried by the SDK, also ends in 412: the token tells.
        return (await ReadFateAsync(dataPath, cancellationToken))?.Token == token;
    }

    /// <summary>Records that the publish holding the claim finished (only that publish, or the janitor repairing it, calls this).</summary>
    internal Task MarkLiveAsync(string dataPath, string destination, string token, CancellationToken cancellationToken) =>
        PutAsync(FatePut(dataPath, FateState.Live, destination, token), cancellationToken);

    internal ValueTask<Fate?> ReadFateAsync(string dataPath, CancellationToken cancellationToken) =>
        new(S3Calls.RunAsync(async ct =>
        {
            try
            {
                var head = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = Bucket, Key = PhysicalKey(dataPath + FateSuffix) }, ct);
                return (Fate?)new Fate(
                    StateOfSize(head.ContentLength) ?? FateState.Doomed, head.Metadata[DestinationMetadata], head.Metadata[TokenMetadata], Utc(head.LastModified));
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken));

    /// <summary>
    /// <paramref name="formerOwner"/> no longer points at <paramref name="dataPath"/> (it was deleted or rewritten): deletes
    /// the data object unless a publish claimed it for another path. Idempotent.
    /// </summary>
    internal async Task ReleaseDataAsync(string dataPath, string formerOwner, CancellationToken cancellationToken)
    {
        if (await DecideReleaseAsync(dataPath, formerOwner, cancellationToken))
        {
            await DeleteDataAsync(dataPath, cancellationToken);
        }
    }

    /// <summary>
    /// Releases many data objects at once (a segment list's): their fates are decided in parallel, then the doomed ones
    /// are deleted in two batch requests, data objects first and then their fate objects (the order a single release keeps).
    /// </summary>
    internal async Task ReleaseManyAsync(IEnumerable<string> dataPaths, string formerOwner, CancellationToken cancellationToken)
    {
        var doomed = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            dataPaths.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ReleaseParallelism, CancellationToken = cancellationToken },
            async (data, ct) =>
            {
                if (await DecideReleaseAsync(data, formerOwner, ct))
                {
                    doomed.Add(data);
                }
            });
        await DeleteKeysAsync([.. doomed.Select(PhysicalKey)], cancellationToken);
        await DeleteKeysAsync([.. doomed.Select(d => PhysicalKey(d + FateSuffix))], cancellationToken);
    }

    /// <summary>Fates decided at once by <see cref="ReleaseManyAsync"/>.</summary>
    private const int ReleaseParallelism = 8;

    /// <summary>Whether the data object may be deleted now: this call doomed it, or it was doomed already, or it is live for the former owner.</summary>
    private async Task<bool> DecideReleaseAsync(string dataPath, string formerOwner, CancellationToken cancellationToken)
    {
        if (await TryDecideFateAsync(dataPath, FateState.Doomed, null, NewToken(), cancellationToken))
        {
            return true;
        }

        return await ReadFateAsync(dataPath, cancellationToken) switch
        {
            // Gone: every path that deletes a fate object deleted its data object first.
            null => false,
            { State: FateState.Doomed } => true,
            { State: FateState.Live } live => live.Destination == formerOwner,
            _ => false, // claimed: the publish in progress (or the janitor, if it died) decides
        };
    }

    /// <summary>Deletes keys in DeleteObjects requests of at most 1,000 (S3's limit); missing keys are fine.</summary>
    internal async Task DeleteKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var batch in keys.Chunk(1000))
        {
            var response = await S3Calls.RunAsync(ct => _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = Bucket,
                Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                Quiet = true,
            }, ct), cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new StorageUnavailableException($"the object store did not delete {errors.Count} objects: {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
            }
        }
    }

    /// <summary>Deletes a data object, then its fate object: in that order, so that a fate object never vanishes before its data.</summary>
    internal async Task DeleteDataAsync(string dataPath, CancellationToken cancellationToken)
    {
        await DeleteKeyAsync(PhysicalKey(dataPath), cancellationToken);
        await DeleteKeyAsync(PhysicalKey(dataPath + FateSuffix), cancellationToken);
    }

    private PutObjectRequest FatePut(string dataPath, FateState state, string? destination, string token)
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = PhysicalKey(dataPath + FateSuffix), ContentBody = Body(state) };
        put.Metadata[TokenMetadata] = token;
        if (destination is not null)
        {
            put.Metadata[DestinationMetadata] = destination;
        }

        return put;
    }
}
