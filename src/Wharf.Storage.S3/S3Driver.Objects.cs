using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// What one HEAD tells about a path's object. <see cref="Size"/> is the logical size: for a pointer, the size of the
/// data object it names (<see cref="Data"/>, a path relative to the prefix), for a segment list the sum of its
/// <see cref="Segments"/> segments (named in its body); <see cref="ETag"/> is the stored object's own.
/// </summary>
internal readonly record struct S3Head(long Size, DateTimeOffset LastModified, string? Version, string? Data, string? ETag, int Segments = 0)
{
    public bool IsPointer => Data is not null;

    public bool IsList => Segments > 0;
}

/// <summary>What a path holds: its head and, for a pointer or a segment list, the data it is made of (empty for an inline object).</summary>
internal sealed record S3Layout(S3Head Head, IReadOnlyList<S3Segment> Segments)
{
    public bool IsInline => Segments.Count == 0 && !Head.IsList;
}

/// <summary>
/// The physical layout behind the logical paths (docs/design/s3.md): an object under 5 MiB is stored inline at its
/// path's key; a larger one is an immutable data object <c>_data/{path it was written for}/{random}</c> named by an
/// empty pointer object at the path's key (user metadata <see cref="DataMetadata"/> and <see cref="SizeMetadata"/>).
/// </summary>
public sealed partial class S3Driver
{
    /// <summary>User metadata of a pointer: the data object's path (relative to the prefix).</summary>
    public const string DataMetadata = "x-amz-meta-wharf-data";

    /// <summary>User metadata of a pointer: the data object's size in bytes.</summary>
    public const string SizeMetadata = "x-amz-meta-wharf-size";

    /// <summary>The root of data objects; no logical path may start with it.</summary>
    public const string DataRoot = "_data";

    /// <summary>Objects smaller than this are stored inline; larger ones as a data object behind a pointer.</summary>
    internal const int InlineLimit = S3StorageOptions.MinimumPartSize;

    /// <summary>The key of a logical path. Paths are validated, and the data root is not a logical path.</summary>
    internal string Key(string path)
    {
        StoragePath.Validate(path);
        if (path == DataRoot || path.StartsWith(DataRoot + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{DataRoot}' is reserved for data objects: '{path}'", nameof(path));
        }

        return _keyPrefix + path;
    }

    /// <summary>The key of a data or fate object, from its path relative to the prefix.</summary>
    internal string PhysicalKey(string relative) => _keyPrefix + relative;

    /// <summary>The path relative to the prefix of a key listed under it.</summary>
    internal string Relative(string key) => key[_keyPrefix.Length..];

    /// <summary>A fresh, never used data object path for bytes written for <paramref name="path"/>.</summary>
    internal static string NewDataPath(string path) => $"{DataRoot}/{path}/{Guid.NewGuid():N}";

    /// <summary>The logical path a data object was written for (its first pointer).</summary>
    internal static string OwnerOf(string dataPath) => dataPath[(DataRoot.Length + 1)..dataPath.LastIndexOf('/')];

    internal static string NewToken() => Guid.NewGuid().ToString("N");

    internal ValueTask<S3Head?> HeadAsync(string key, CancellationToken cancellationToken) =>
        new(S3Calls.RunAsync(async ct =>
        {
            try
            {
                var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, ct);
                return (S3Head?)Describe(head.ContentLength, head.LastModified, head.ETag, head.Metadata);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken));

    /// <summary>The head of an object from its size, date and user metadata (of a HEAD or GET response).</summary>
    internal static S3Head Describe(long storedSize, DateTime? lastModified, string? etag, MetadataCollection metadata)
    {
        var data = metadata[DataMetadata];
        var segments = int.TryParse(metadata[S3Segments.CountMetadata], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;
        var size = (data is not null || segments > 0) && long.TryParse(metadata[SizeMetadata], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : storedSize;
        return new S3Head(size, Utc(lastModified), metadata[VersionMetadata], data, etag, segments);
    }

    /// <summary>
    /// The layout of the object at <paramref name="key"/>, or null if there is none: one HEAD, and for a segment list a GET
    /// of its body (the GET's own metadata is used, so head and segments always belong to one version).
    /// </summary>
    internal async Task<S3Layout?> LayoutAsync(string key, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(key, cancellationToken);
        return head switch
        {
            null => null,
            { IsList: true } => await ReadLayoutAsync(key, cancellationToken),
            { IsPointer: true } pointer => new S3Layout(pointer, [new S3Segment(pointer.Data!, pointer.Size)]),
            { } inline => new S3Layout(inline, []),
        };
    }

    /// <summary>The layout from one GET of the path's key: bytes are read only for a segment list (an inline object's are not).</summary>
    internal Task<S3Layout?> ReadLayoutAsync(string key, CancellationToken cancellationToken) =>
        S3Calls.RunAsync(async ct =>
        {
            try
            {
                using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, ct);
                return await LayoutOfAsync(response, cancellationToken);
            }
            catch (AmazonS3Exception e) when (S3Calls.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>The layout a GET response (of a whole object, no range) describes; reads its body only if it is a segment list.</summary>
    internal static async Task<S3Layout> LayoutOfAsync(GetObjectResponse response, CancellationToken cancellationToken)
    {
        var head = Describe(response.ContentLength, response.LastModified, response.ETag, response.Metadata);
        if (head.IsPointer)
        {
            return new S3Layout(head, [new S3Segment(head.Data!, head.Size)]);
        }

        if (!head.IsList)
        {
            return new S3Layout(head, []);
        }

        using var reader = new StreamReader(response.ResponseStream);
        var segments = S3Segments.Parse(await reader.ReadToEndAsync(cancellationToken));
        if (segments.Count != head.Segments || S3Segments.TotalLength(segments) != head.Size)
        {
            throw new InvalidDataException("a segment list does not add up to its size");
        }

        return new S3Layout(head, segments);
    }

    /// <summary>Writes a segment list at <paramref name="key"/> (replacing what is there).</summary>
    internal Task<bool> WriteListAsync(string key, IReadOnlyList<S3Segment> segments, string version, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = S3Segments.Format(segments) };
        put.Metadata[VersionMetadata] = version;
        put.Metadata[S3Segments.CountMetadata] = segments.Count.ToString(CultureInfo.InvariantCulture);
        put.Metadata[SizeMetadata] = S3Segments.TotalLength(segments).ToString(CultureInfo.InvariantCulture);
        return PutAsync(put, cancellationToken);
    }

    /// <summary>Whether the object at <paramref name="key"/> names <paramref name="dataPath"/> (as a pointer or as one of its segments).</summary>
    internal async Task<bool> NamesAsync(string key, string dataPath, CancellationToken cancellationToken) =>
        await HeadAsync(key, cancellationToken) switch
        {
            { IsPointer: true } pointer => pointer.Data == dataPath,
            { IsList: true } => (await ReadLayoutAsync(key, cancellationToken))?.Segments.Any(s => s.Data == dataPath) == true,
            _ => false,
        };

    /// <summary>A date from the SDK as UTC (it may come as local time or unspecified).</summary>
    internal static DateTimeOffset Utc(DateTime? value) => value switch
    {
        null => DateTimeOffset.UtcNow,
        { Kind: DateTimeKind.Unspecified } m => new DateTimeOffset(DateTime.SpecifyKind(m, DateTimeKind.Utc)),
        { } m => new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero),
    };

    /// <summary>Writes the pointer at <paramref name="key"/>; with <paramref name="createOnly"/>, only if no object is there (returns false otherwise).</summary>
    internal Task<bool> WritePointerAsync(string key, string dataPath, long size, string version, bool createOnly, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "" };
        put.Metadata[VersionMetadata] = version;
        put.Metadata[DataMetadata] = dataPath;
        put.Metadata[SizeMetadata] = size.ToString(CultureInfo.InvariantCulture);
        return createOnly ? TryCreateAsync(put, cancellationToken) : PutAsync(put, cancellationToken);
    }

    /// <summary>A plain PutObject.</summary>
    internal Task<bool> PutAsync(PutObjectRequest put, CancellationToken cancellationToken) =>
        S3Calls.RunAsync(async ct =>
        {
            await _client.PutObjectAsync(put, ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// PutObject with <c>If-None-Match: *</c>: true if this request created the object, false if one was there. A 409
    /// (another conditional write of the key still in progress) is retried until one of the two answers comes.
    /// </summary>
    internal Task<bool> TryCreateAsync(PutObjectRequest put, CancellationToken cancellationToken)
    {
        put.IfNoneMatch = "*";
        return S3Calls.RunAsync(async ct =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (put.InputStream is { CanSeek: true } body)
                    {
                        body.Position = 0;
                    }

                    await _client.PutObjectAsync(put, ct);
                    return true;
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    return false;
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < 20)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), _time, ct);
                }
            }
        }, cancellationToken);
    }

    internal Task DeleteKeyAsync(string key, CancellationToken cancellationToken) =>
        S3Calls.RunAsync(ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, ct), cancellationToken);
}
