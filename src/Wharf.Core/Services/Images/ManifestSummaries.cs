using Wharf.Core.Metadata;
using Wharf.Core.Metadata.Caching;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Images;

/// <summary>A manifest's total size and the platforms it runs on.</summary>
public sealed record ManifestSummary(long Size, IReadOnlyList<Platform> Platforms);

/// <summary>
/// Computes <see cref="ManifestSummary"/> values: for an image, manifest + config + layers and the platform its config
/// names; for an index, its own bytes plus each child's total, and the platforms of its children. Results are cached
/// by digest: a manifest's bytes never change, nor do its config's, so a cached summary is never wrong (a child
/// deleted later still counts, which is what the index was pushed with).
/// </summary>
public sealed class ManifestSummaries(IManifestReader manifests, IStorageDriver storage)
{
    private readonly CoherentCache<string, ManifestSummary> _cache = new(capacity: 20_000);

    // Indexes of indexes are rare; this many levels are followed, deeper ones count by descriptor size.
    private const int MaxDepth = 3;

    public ValueTask<ManifestSummary> SummarizeAsync(string repository, Digest digest, string mediaType, byte[] payload, CancellationToken cancellationToken) =>
        SummarizeAsync(repository, digest, mediaType, payload, 0, cancellationToken);

    /// <summary>The summary of one child of an index, read from the repository; its descriptor's size when it is gone.</summary>
    public ValueTask<ManifestSummary> SummarizeChildAsync(string repository, DescriptorView child, CancellationToken cancellationToken) =>
        SummarizeChildAsync(repository, child, 0, cancellationToken);

    private async ValueTask<ManifestSummary> SummarizeAsync(string repository, Digest digest, string mediaType, byte[] payload, int depth, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(digest.Value, out var hit))
        {
            return hit;
        }

        var summary = await ComputeAsync(repository, ManifestView.Parse(mediaType, payload), payload.Length, depth, cancellationToken);
        _cache.TryFill(digest.Value, summary, _cache.Version);
        return summary;
    }

    private async ValueTask<ManifestSummary> SummarizeChildAsync(string repository, DescriptorView child, int depth, CancellationToken cancellationToken)
    {
        var stored = depth < MaxDepth ? await manifests.GetAsync(repository, child.Digest, cancellationToken) : null;
        return stored is null
            ? new ManifestSummary(child.Size, child.Platform is { } p ? [p] : [])
            : await SummarizeAsync(repository, stored.Digest, stored.MediaType, stored.Payload, depth, cancellationToken);
    }

    private async ValueTask<ManifestSummary> ComputeAsync(string repository, ManifestView view, long ownSize, int depth, CancellationToken cancellationToken)
    {
        if (!view.IsIndex)
        {
            var size = ownSize + (view.Config?.Size ?? 0) + view.Layers.Sum(l => l.Size);
            Platform? platform = null;
            if (view.IsRunnableImage)
            {
                platform = (await ImageConfig.ReadAsync(storage, view.Config!.Digest, view.Layers.Count, cancellationToken))?.Platform;
            }

            return new ManifestSummary(size, platform is null ? [] : [platform]);
        }

        var total = ownSize;
        var platforms = new List<Platform>();
        foreach (var child in view.Manifests)
        {
            var summary = await SummarizeChildAsync(repository, child, depth + 1, cancellationToken);
            total += summary.Size;
            if (child.Platform is { IsUnknown: false } declared)
            {
                platforms.Add(declared);
            }
            else if (child.Platform is null)
            {
                platforms.AddRange(summary.Platforms.Where(p => !p.IsUnknown));
            }
        }

        return new ManifestSummary(total, platforms.Distinct().ToList());
    }
}
