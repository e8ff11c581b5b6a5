using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Telemetry;

/// <summary>A span (<c>metadata.manifests.&lt;operation&gt;</c>, with the repository and reference) around every manifest read.</summary>
public sealed class TracedManifestReader(IManifestReader inner) : IManifestReader
{
    private const string Store = "manifests";

    public async ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.get", Store, repository, digest.Value);
        try
        {
            return await inner.GetAsync(repository, digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.get_by_tag", Store, repository, tag);
        try
        {
            return await inner.GetByTagAsync(repository, tag, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.list_tags", Store, repository);
        try
        {
            return await inner.ListTagsAsync(repository, last, limit, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.list_referrers", Store, repository, subject.Value);
        try
        {
            return await inner.ListReferrersAsync(repository, subject, artifactType, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }
}
