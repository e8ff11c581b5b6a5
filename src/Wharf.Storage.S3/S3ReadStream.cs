using Amazon.S3.Model;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>
/// The body of a GET, owning the response so that disposing the stream releases the connection (asynchronous disposal
/// ends in <see cref="Dispose(bool)"/> too).
/// </summary>
internal sealed class S3ReadStream(GetObjectResponse response) : ReadOnlyForwardingStream(response.ResponseStream)
{
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            response.Dispose();
        }
    }
}
