using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Results;

namespace Wharf.Http.Handlers;

/// <summary>GET, HEAD and DELETE of /v2/&lt;name&gt;/blobs/&lt;digest&gt;.</summary>
public sealed class BlobHandler(BlobService blobs)
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
        if (!stat.IsOk)
        {
            return new ErrorResult(stat.Error!);
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

        return new BlobContentResult(blobs, digest, size, range);
    }
}
