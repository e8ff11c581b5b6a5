using Amazon.S3.Model;

namespace Wharf.Storage.S3;

/// <summary>Server-side copies of byte ranges into multipart uploads (UploadPartCopy).</summary>
internal static class S3Copy
{
    /// <summary>Copies a whole object of <paramref name="size"/> bytes in parts (objects beyond 5 GiB cannot be copied in one request).</summary>
    public static async Task MultipartAsync(S3Driver driver, string sourceKey, string destinationKey, long size, CancellationToken cancellationToken)
    {
        var start = await driver.Client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = driver.Bucket, Key = destinationKey }, cancellationToken);
        try
        {
            var parts = await CopyRangeAsync(driver, start.UploadId, sourceKey, destinationKey, 0, size, 1, cancellationToken);
            await driver.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = driver.Bucket,
                Key = destinationKey,
                UploadId = start.UploadId,
                PartETags = parts,
            }, cancellationToken);
        }
        catch
        {
            await AbortQuietlyAsync(driver, destinationKey, start.UploadId);
            throw;
        }
    }

    /// <summary>
    /// Copies bytes [<paramref name="from"/>, <paramref name="from"/> + <paramref name="length"/>) of the source as parts
    /// numbered from <paramref name="firstPart"/>. Every part is at least <see cref="S3StorageOptions.CopyPartSize"/> (so never
    /// under S3's 5 MiB minimum), except when <paramref name="length"/> itself is smaller.
    /// </summary>
    /// <remarks>With <paramref name="sourceETag"/>, every part copies only that version of the source (else the copy fails with 412).</remarks>
    public static async Task<List<PartETag>> CopyRangeAsync(
        S3Driver driver, string uploadId, string sourceKey, string destinationKey, long from, long length, int firstPart, CancellationToken cancellationToken, string? sourceETag = null)
    {
        var parts = new List<PartETag>();
        foreach (var (number, first, last) in Parts(driver.Options.CopyPartSize, from, length, firstPart))
        {
            parts.Add(await CopyPartAsync(driver, uploadId, sourceKey, destinationKey, number, first, last, sourceETag, cancellationToken));
        }

        return parts;
    }

    /// <summary>
    /// Makes one data object of a segment list: a multipart upload whose parts are server-side copies of the segments, in
    /// order (each byte copied once), up to <see cref="S3StorageOptions.PartsInFlight"/> at once. Every segment but the
    /// last is at least 5 MiB, so every part is a valid one. A segment that is gone fails it with <see cref="FileNotFoundException"/>
    /// and the multipart upload is aborted. Returns the bytes copied.
    /// </summary>
    public static async Task<long> AssembleAsync(S3Driver driver, IReadOnlyList<S3Segment> segments, string destinationKey, CancellationToken cancellationToken)
    {
        var plan = new List<(string Source, int Number, long First, long Last)>();
        foreach (var segment in segments)
        {
            plan.AddRange(Parts(driver.Options.CopyPartSize, 0, segment.Length, plan.Count + 1).Select(p => (driver.PhysicalKey(segment.Data), p.Number, p.First, p.Last)));
        }

        if (plan.Count > MaximumParts)
        {
            throw new IOException($"an object of {plan.Count} copied parts cannot be assembled (S3 allows {MaximumParts}); raise CopyPartSize or send larger chunks");
        }

        var start = await S3Calls.RunAsync(
            ct => driver.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = driver.Bucket, Key = destinationKey }, ct), cancellationToken);
        try
        {
            var parts = new PartETag[plan.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, plan.Count),
                new ParallelOptions { MaxDegreeOfParallelism = driver.Options.PartsInFlight, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var (source, number, first, last) = plan[i];
                    parts[i] = await S3Calls.RunAsync(
                        async inner =>
                        {
                            try
                            {
                                return await CopyPartAsync(driver, start.UploadId, source, destinationKey, number, first, last, null, inner);
                            }
                            catch (Amazon.S3.AmazonS3Exception e) when (S3Calls.IsNotFound(e))
                            {
                                throw new FileNotFoundException($"a segment of the object being assembled is gone: '{source}'", source, e);
                            }
                        },
                        ct);
                });
            await driver.FaultAsync("assemble.parts-copied");
            await S3Calls.RunAsync(ct => driver.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = driver.Bucket,
                Key = destinationKey,
                UploadId = start.UploadId,
                PartETags = [.. parts],
            }, ct), cancellationToken);
            return S3Segments.TotalLength(segments);
        }
        catch
        {
            await AbortQuietlyAsync(driver, destinationKey, start.UploadId);
            throw;
        }
    }

    /// <summary>S3's limit on the parts of one multipart upload.</summary>
    internal const int MaximumParts = 10_000;

    /// <summary>Part numbers and byte ranges (inclusive) covering [from, from + length) in parts of at least <paramref name="partSize"/> (fewer than twice it).</summary>
    private static IEnumerable<(int Number, long First, long Last)> Parts(long partSize, long from, long length, int firstPart)
    {
        var count = Math.Max(1, length / partSize);
        var size = (length + count - 1) / count;
        for (var i = 0L; i < count; i++)
        {
            var first = from + (i * size);
            var last = Math.Min(from + length, first + size) - 1;
            yield return (firstPart + (int)i, first, last);
        }
    }

    private static async Task<PartETag> CopyPartAsync(
        S3Driver driver, string uploadId, string sourceKey, string destinationKey, int number, long first, long last, string? sourceETag, CancellationToken cancellationToken)
    {
        var copied = await driver.Client.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = driver.Bucket,
            SourceKey = sourceKey,
            DestinationBucket = driver.Bucket,
            DestinationKey = destinationKey,
            UploadId = uploadId,
            PartNumber = number,
            FirstByte = first,
            LastByte = last,
            ETagToMatch = sourceETag is null ? null : [sourceETag],
        }, cancellationToken);
        return new PartETag(number, copied.ETag);
    }

    public static async Task AbortQuietlyAsync(S3Driver driver, string key, string uploadId)
    {
        try
        {
            // No token for the SDK (see S3Calls); the request timeout bounds it.
            await driver.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = driver.Bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
        }
#pragma warning disable CA1031 // Best effort: a leftover multipart upload is removed by the bucket's lifecycle rule (docs/design/s3.md).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
