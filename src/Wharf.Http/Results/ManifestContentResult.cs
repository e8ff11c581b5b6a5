using Microsoft.AspNetCore.Http;
using Wharf.Core.Metadata;

namespace Wharf.Http.Results;

/// <summary>A manifest's exact bytes, with the media type it was pushed with.</summary>
public sealed class ManifestContentResult(StoredManifest manifest) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var etag = "\"" + manifest.Digest.Value + "\"";
        response.Headers["Docker-Content-Digest"] = manifest.Digest.Value;
        response.Headers.ETag = etag;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Payload.Length;
        if (httpContext.Request.Headers.IfNoneMatch == etag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await response.Body.WriteAsync(manifest.Payload, httpContext.RequestAborted);
        }
    }
}
