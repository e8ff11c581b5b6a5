using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Handlers;

/// <summary>GET, HEAD and DELETE of /v2/&lt;name&gt;/blobs/&lt;digest&gt;.</summary>
public sealed class BlobHandler(BlobService blobs, BlobOptions options, Wharf.Core.Mirror.MirrorNames? mirrorNames = null, Wharf.Core.Mirror.PullThroughCache? cache = null)
{
    public async ValueTask<IResult> HandleAsync(RegistryRequest request)
    {
        var digest = Digest.Parse(request.Route.Reference);
        if (HttpMethods.IsDelete(request.Method))
        {
            var deleted = await blobs.DeleteAsync(request.Route.Name, digest, request.Aborted);
            return deleted.IsOk ? RegistryResponse.Accepted() : new ErrorResult(deleted.Error!);
        }

        var stat = await blobs.StatAsync(request.Route.Name, digest, request.Aborted);
        var cached = cache is null ? null : mirrorNames?.Resolve(request.Route.Name);
        if (!stat.IsOk)
        {
            if (cached is null)
            {
                return new ErrorResult(stat.Error!);
            }

            // Not in the cached repository yet: fetched from its upstream, and streamed while it is stored.
            var fetched = await cache!.FetchBlobAsync(cached, digest, request.Aborted);
            return fetched.IsOk ? new Mirror.MirroredBlobResult(fetched.Value, digest) : new ErrorResult(fetched.Error!);
        }

        if (cached is not null)
        {
            cache!.RecordBlobHit(cached);
        }

        // A blob whose bytes are gone (quarantined by `wharf check --repair`) is unknown until pushed again. HEAD asks
        // storage, since clients decide from it whether to push the blob; so does a GET of a local file (a cheap stat,
        // which also says whether a file holds the bytes: the one look a GET of a file makes before opening it, where it
        // made three with small blobs in the database; 4 KiB file blob side by side: GET 1.07x, HEAD 1.05x), while a
        // streamed GET finds out when it opens the bytes (BlobContentResult), without a round trip more.
        string? local = null;
        if (HttpMethods.IsHead(request.Method) || blobs.LocalFilePath(digest) is not null)
        {
            if (await blobs.FindBytesAsync(digest, request.Aborted) is not { } bytes)
            {
                return new ErrorResult(ErrorCode.BlobUnknown);
            }

            local = bytes.LocalPath;
        }

        var size = stat.Value.Size;
        var response = request.Http.Response;
        var range = ByteRange.Parse(request.Http.Request.Headers.Range, size, out var unsatisfiable);
        if (unsatisfiable)
        {
            response.Headers.ContentRange = $"bytes */{size}";
            return new ErrorResult(new RegistryError(ErrorCode.RangeNotSatisfiable, $"the blob holds {size} bytes"));
        }

        var etag = "\"" + digest.Value + "\"";
        response.Headers["Docker-Content-Digest"] = digest.Value;
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "max-age=31536000";
        response.ContentType = "application/octet-stream";

        if (request.Http.Request.Headers.IfNoneMatch == etag)
        {
            return new RegistryResponse(StatusCodes.Status304NotModified, []);
        }

        if (options.Delivery == BlobDelivery.Redirect && HttpMethods.IsGet(request.Method) && size > 0
            && await blobs.RedirectUrlAsync(digest, request.Aborted) is { } url)
        {
            // The client repeats its Range header at the URL; the store answers 206 there.
            return new RegistryResponse(StatusCodes.Status307TemporaryRedirect, [RegistryHeaders.Location(url.AbsoluteUri), RegistryHeaders.ContentDigest(digest.Value)]);
        }

        return new BlobContentResult(blobs, digest, size, range, local);
    }
}
