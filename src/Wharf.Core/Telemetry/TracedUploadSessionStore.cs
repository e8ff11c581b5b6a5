using Wharf.Core.Metadata;

namespace Wharf.Core.Telemetry;

/// <summary>A span (<c>metadata.uploads.&lt;operation&gt;</c>, with the session id) around every upload session store call.</summary>
public sealed class TracedUploadSessionStore(IUploadSessionStore inner) : IUploadSessionStore
{
    private const string Store = "uploads";

    public async ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.uploads.create", Store, session.Repository, session.Id);
        try
        {
            await inner.CreateAsync(session, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.uploads.get", Store, null, id);
        try
        {
            return await inner.GetAsync(id, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.uploads.advance", Store, null, id);
        try
        {
            return await inner.AdvanceAsync(id, expectedSize, newSize, now, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.uploads.delete", Store, null, id);
        try
        {
            return await inner.DeleteAsync(id, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.uploads.list_stale", Store);
        try
        {
            return await inner.ListStaleAsync(before, limit, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }
}
