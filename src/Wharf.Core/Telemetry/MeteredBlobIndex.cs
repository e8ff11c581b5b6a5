using System.Diagnostics;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Telemetry;

/// <summary>Times the blob index's operations and counts their failures (<c>wharf.metadata.operation.*</c>, store <c>blobs</c>).</summary>
public sealed class MeteredBlobIndex(IBlobIndex inner, WharfMetrics metrics) : IBlobIndex
{
    private const string Store = "blobs";

    public async ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.GetAsync(digest, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "get", started, error);
        }
    }

    public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.GetInRepositoryAsync(repository, digest, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "get_in_repository", started, error);
        }
    }

    public async ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            await inner.LinkAsync(repository, blob, completedUpload, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "link", started, error);
        }
    }

    public async ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.LinkExistingAsync(repository, digest, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "link_existing", started, error);
        }
    }

    public async ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.ListRepositoriesAsync(digest, limit, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "list_repositories", started, error);
        }
    }

    public async ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.UnlinkAsync(repository, digest, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "unlink", started, error);
        }
    }
}
