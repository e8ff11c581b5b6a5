using System.Diagnostics;
using Wharf.Core.Metadata;

namespace Wharf.Core.Telemetry;

/// <summary>Times the upload session store's operations and counts their failures (<c>wharf.metadata.operation.*</c>, store <c>uploads</c>).</summary>
public sealed class MeteredUploadSessionStore(IUploadSessionStore inner, WharfMetrics metrics) : IUploadSessionStore
{
    private const string Store = "uploads";

    public async ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            await inner.CreateAsync(session, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "create", started, error);
        }
    }

    public async ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.GetAsync(id, cancellationToken);
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

    public async ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.AdvanceAsync(id, expectedSize, newSize, now, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "advance", started, error);
        }
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.DeleteAsync(id, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "delete", started, error);
        }
    }

    public async ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.ListStaleAsync(before, limit, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "list_stale", started, error);
        }
    }
}
