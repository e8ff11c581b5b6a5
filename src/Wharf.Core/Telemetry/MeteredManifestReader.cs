using System.Diagnostics;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Telemetry;

/// <summary>Times the manifest reader's operations and counts their failures (<c>wharf.metadata.operation.*</c>, store <c>manifests</c>).</summary>
public sealed class MeteredManifestReader(IManifestReader inner, WharfMetrics metrics) : IManifestReader
{
    private const string Store = "manifests";

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.GetAsync(repository, digest, cancellationToken);
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

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.GetByTagAsync(repository, tag, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "get_by_tag", started, error);
        }
    }

    public async ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.ListTagsAsync(repository, last, limit, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "list_tags", started, error);
        }
    }

    public async ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            return await inner.ListReferrersAsync(repository, subject, artifactType, cancellationToken);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            metrics.MetadataOperation(Store, "list_referrers", started, error);
        }
    }
}
