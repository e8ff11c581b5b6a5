using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Telemetry;

/// <summary>
/// A span (<c>metadata.manifests.&lt;operation&gt;</c>, with the repository and reference) around every manifest write.
/// Capabilities (the immutable-tag writer) are the inner store's, passed through unchanged.
/// </summary>
public sealed class TracedManifestWriter(IManifestWriter inner) : IManifestWriter
{
    private const string Store = "manifests";

    public T? GetCapability<T>()
        where T : class => inner.GetCapability<T>();

    public async ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest, string? tag, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.put", Store, repository, manifest.Digest.Value);
        if (tag is not null)
        {
            span?.SetTag("wharf.tag", tag);
        }

        try
        {
            return await inner.PutAsync(repository, manifest, tag, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.delete", Store, repository, digest.Value);
        try
        {
            return await inner.DeleteAsync(repository, digest, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.delete_tag", Store, repository, tag);
        try
        {
            return await inner.DeleteTagAsync(repository, tag, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }

    public async ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag, Digest expected, CancellationToken cancellationToken)
    {
        using var span = WharfTracing.StartMetadata("metadata.manifests.delete_tag_if", Store, repository, tag);
        try
        {
            return await inner.DeleteTagIfAsync(repository, tag, expected, cancellationToken);
        }
        catch (Exception e) when (WharfTracing.Failed(span, e))
        {
            throw;
        }
    }
}
