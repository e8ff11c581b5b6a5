using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Telemetry;

/// <summary>A span (<c>metadata.blobs.&lt;operation&gt;</c>, with the repository and digest) around every blob index call.</summary>
public sealed class TracedBlobIndex(IBlobIndex inner) : IBlobIndex
{
    private const string Store = "blobs";

    public async ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.get", Store, null, digest.Value);
        try
        {
            return await inner.GetAsync(digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.get_in_repository", Store, repository, digest.Value);
        try
        {
            return await inner.GetInRepositoryAsync(repository, digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.link", Store, repository, blob.Digest.Value);
        try
        {
            await inner.LinkAsync(repository, blob, completedUpload, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.link_existing", Store, repository, digest.Value);
        try
        {
            return await inner.LinkExistingAsync(repository, digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.list_repositories", Store, null, digest.Value);
        try
        {
            return await inner.ListRepositoriesAsync(digest, limit, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.blobs.unlink", Store, repository, digest.Value);
        try
        {
            return await inner.UnlinkAsync(repository, digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }
}
