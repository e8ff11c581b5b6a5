using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Wharf.Core.Storage;

namespace Wharf.Storage.S3;

/// <summary>Runs SDK calls, turning transport failures and 5xx answers into <see cref="StorageUnavailableException"/>.</summary>
internal static class S3Calls
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
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
