using Microsoft.AspNetCore.Http;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;
using Wharf.Http.Results;

namespace Wharf.Http.Mirror;

/// <summary>
/// A blob streamed as it arrives from the upstream. A failure of the fetch (a digest mismatch included) surfaces as an
/// exception from the stream after the headers went out, and Kestrel aborts the connection: the client sees a body
/// shorter than its Content-Length, never a whole wrong blob.
/// </summary>
public sealed class MirroredBlobResult(MirroredBlob blob, Digest digest) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var content = blob.Content;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = blob.Length;
        response.Headers["Docker-Content-Digest"] = digest.Value;
        response.Headers.ETag = "\"" + digest.Value + "\"";
        if (HttpMethods.IsHead(httpContext.Request.Method) || blob.Length == 0)
        {
            return;
        }

        await response.StartAsync(httpContext.RequestAborted);
        await StreamCopier.CopyAsync(content, response.Body, blob.Length, httpContext.RequestAborted);
    }
}
