using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>Runs SDK calls, turning transport failures and 5xx answers into <see cref="StorageUnavailableException"/>.</summary>
internal static class S3Calls
{
    /// <summary>
    /// Runs <paramref name="call"/>, checking <paramref name="cancellationToken"/> first but handing the SDK
    /// <see cref="CancellationToken.None"/>: each request is bounded by <see cref="S3StorageOptions.RequestTimeout"/>
    /// instead. With AWSSDK.S3 4.1 and .NET 10, cancelling a token the SDK was given (a client that disconnects, a
    /// shutdown), whether during a call that reads a response body (a listing) or after it, left the pooled connection
    /// broken: the next request sent on it hung until the request timeout (measured: 60 s stalls of the next request,
    /// reproduced outside Wharf). Reading an object's body still honours the caller's token (that was measured safe).
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await call(CancellationToken.None);
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw new StorageUnavailableException("the object store is unavailable: " + e.Message, e);
        }
    }

    public static bool IsNotFound(AmazonServiceException e) =>
        e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NoSuchUpload";

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) => e switch
    {
        AmazonServiceException s when s.StatusCode == 0 || (int)s.StatusCode >= 500 => true,
        AmazonServiceException s => s.InnerException is { } inner && IsUnavailable(inner, cancellationToken),
        AmazonClientException => true,
        HttpRequestException or SocketException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException io => io.InnerException is SocketException,
        _ => false,
    };
}
