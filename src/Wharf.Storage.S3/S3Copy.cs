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
            var parts = await CopyRangeAsync(driver, start.UploadId, sourceKey, destinationKey, size, 1, cancellationToken);
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
    /// Copies bytes [0, <paramref name="length"/>) of the source as parts numbered from <paramref name="firstPart"/>.
    /// Every part is at least <see cref="S3StorageOptions.CopyPartSize"/> (so never under S3's 5 MiB minimum),
    /// except when <paramref name="length"/> itself is smaller.
    /// </summary>
    /// <remarks>With <paramref name="sourceETag"/>, every part copies only that version of the source (else the copy fails with 412).</remarks>
    public static async Task<List<PartETag>> CopyRangeAsync(
        S3Driver driver, string uploadId, string sourceKey, string destinationKey, long length, int firstPart, CancellationToken cancellationToken, string? sourceETag = null)
    {
        var count = Math.Max(1, length / driver.Options.CopyPartSize);
        var partSize = (length + count - 1) / count;
        var parts = new List<PartETag>((int)count);
        for (var i = 0L; i < count; i++)
        {
            var first = i * partSize;
            var last = Math.Min(length, first + partSize) - 1;
            var copied = await driver.Client.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = driver.Bucket,
                SourceKey = sourceKey,
                DestinationBucket = driver.Bucket,
                DestinationKey = destinationKey,
                UploadId = uploadId,
                PartNumber = firstPart + (int)i,
                FirstByte = first,
                LastByte = last,
                ETagToMatch = sourceETag is null ? null : [sourceETag],
            }, cancellationToken);
            parts.Add(new PartETag(firstPart + (int)i, copied.ETag));
        }

        return parts;
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
