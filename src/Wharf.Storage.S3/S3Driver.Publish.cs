using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// Publishing an upload under its digest without copying it: the destination becomes a pointer to the data object
/// the upload already wrote. Small (inline) uploads are copied. Every step and every race is in docs/design/s3.md.
/// </summary>
public sealed partial class S3Driver
{
    /// <summary>
    /// A publish that has held its claim this long without writing its pointer gives up, leaving the claim to the janitor,
    /// which never removes a claim younger than <see cref="MinimumAbandonedAge"/>: a late pointer can never name a removed data object.
    /// </summary>
    internal static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(5);

    public async ValueTask<PublishOutcome> PublishAsync(string source, string destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        var from = Key(source);
        var to = Key(destination);
        await FaultAsync("publish.start");
        // One GET tells what the source is and its version, together with an inline source's bytes or a list's segments.
        // The destination is not asked first: every write to it is create-only and finds it taken (a small streamed
        // commit is this GET, one PUT and one DELETE).
        var response = await S3Calls.RunAsync(async ct =>
        {
            try
            {
                return await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = from }, ct);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken);
        if (response is null)
        {
            return PublishOutcome.SourceMissing;
        }

        S3Layout layout;
        using (response)
        {
            var head = Describe(response.ContentLength, response.LastModified, response.ETag, response.Metadata);
            if (expectedVersion is not null && head.Version != expectedVersion)
            {
                return PublishOutcome.SourceChanged;
            }

            await FaultAsync("publish.checked");
            if (!head.IsPointer && !head.IsList)
            {
                // Exactly the verified version's bytes, from the response that carried the version.
                return await PublishInlineAsync(from, destination, response, cancellationToken);
            }

            layout = await LayoutOfAsync(response, cancellationToken);
        }

        return layout.Head.IsPointer
            ? await PublishPointerAsync(from, to, destination, layout.Head, cancellationToken)
            : await PublishListAsync(from, to, source, destination, layout, cancellationToken);
    }

    /// <summary>
    /// A segment list (an upload sent in several chunks) is assembled into one fresh data object written for the
    /// destination, by copying each segment once server-side, and the destination points at that. The segments are
    /// immutable and the list was read in the same GET as its version, so the copy holds exactly the verified bytes; a
    /// segment released meanwhile (the upload rewritten or deleted) fails the copy, and nothing is published.
    /// </summary>
    private async Task<PublishOutcome> PublishListAsync(string from, string to, string source, string destination, S3Layout layout, CancellationToken cancellationToken)
    {
        await FaultAsync("publish.list-read");
        var data = NewDataPath(destination);
        try
        {
            await S3Copy.AssembleAsync(this, layout.Segments, PhysicalKey(data), cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return PublishOutcome.SourceChanged;
        }

        await FaultAsync("publish.assembled");
        if (!await WritePointerAsync(to, data, layout.Head.Size, NewToken(), createOnly: true, cancellationToken)
            && (await HeadAsync(to, cancellationToken))?.Data != data)
        {
            // Another publish of the same content placed its object first: nothing ever named this copy.
            await DeleteDataAsync(data, cancellationToken);
            await DeleteLayoutAsync(from, source, layout, cancellationToken);
            return PublishOutcome.DestinationExisted;
        }

        await FaultAsync("publish.pointer-written");
        await DeleteLayoutAsync(from, source, layout, cancellationToken);
        return PublishOutcome.Published;
    }

    /// <summary>Claims the source's data object for the destination, points the destination at it, removes the source.</summary>
    private async Task<PublishOutcome> PublishPointerAsync(string from, string to, string destination, S3Head head, CancellationToken cancellationToken)
    {
        // The data object is immutable and named by the very pointer whose version was checked: these are the verified bytes.
        var data = head.Data!;
        var token = NewToken();
        if (!await TryDecideFateAsync(data, FateState.Claimed, destination, token, cancellationToken))
        {
            // Decided by someone else first: a delete of the upload (doomed), or a second commit of this same upload.
            if (await HeadAsync(to, cancellationToken) is not null)
            {
                await DeleteKeyAsync(from, cancellationToken);
                return PublishOutcome.DestinationExisted;
            }

            return PublishOutcome.SourceChanged;
        }

        var claimed = _time.GetTimestamp();
        await FaultAsync("publish.claimed");
        if (await HeadAsync(PhysicalKey(data), cancellationToken) is null)
        {
            // Deleted (and its fate object with it) between our HEAD of the source and our claim.
            await DeleteKeyAsync(PhysicalKey(data + FateSuffix), cancellationToken);
            return PublishOutcome.SourceMissing;
        }

        if (_time.GetElapsedTime(claimed) > PublishDeadline)
        {
            throw new StorageUnavailableException($"publishing '{destination}' stalled for more than {PublishDeadline}; the claim is left to the janitor");
        }

        var version = NewToken();
        if (!await WritePointerAsync(to, data, head.Size, version, createOnly: true, cancellationToken)
            && (await HeadAsync(to, cancellationToken))?.Version != version)
        {
            // Another publish of the same content placed its object first. Nobody else can point at this data object
            // (the claim is ours), so it goes now.
            await DeleteKeyAsync(from, cancellationToken);
            await DeleteDataAsync(data, cancellationToken);
            return PublishOutcome.DestinationExisted;
        }

        await FaultAsync("publish.pointer-written");
        await DeleteKeyAsync(from, cancellationToken);
        await FaultAsync("publish.source-deleted");
        await MarkLiveAsync(data, destination, token, cancellationToken);
        return PublishOutcome.Published;
    }

    /// <summary>
    /// Copies a small source through this process from the GET that answered its version: exactly the verified version is
    /// copied (a server-side copy could only be made conditional on the ETag, an MD5).
    /// </summary>
    private async Task<PublishOutcome> PublishInlineAsync(string from, string destination, GetObjectResponse response, CancellationToken cancellationToken)
    {
        bool existed;
        await using (var writer = new S3Writer(this, destination, 0, createOnly: true))
        {
            await writer.StartAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await FaultAsync("publish.inline-copying");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            await writer.CommitAsync(cancellationToken);
            existed = writer.DestinationExisted;
        }

        await FaultAsync("publish.inline-written");
        await DeleteKeyAsync(from, cancellationToken);
        return existed ? PublishOutcome.DestinationExisted : PublishOutcome.Published;
    }
}
