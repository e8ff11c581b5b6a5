using System.Text.Json;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Images;

/// <summary>
/// The JSON API's view of tags and images: tag pages with sizes and platforms, and an image's manifest, platforms,
/// config, history, layers and referrers. Permissions are the caller's business; this answers for any repository.
/// </summary>
public sealed class ImageDetailsService(
    IManifestReader manifests,
    ITagDetailsReader tags,
    ManifestService manifestService,
    ManifestSummaries summaries,
    IPullStatsReader pulls,
    IStorageDriver storage)
{
    /// <summary>Whether the repository exists (has ever had a blob or manifest pushed and not everything removed).</summary>
    public async ValueTask<bool> RepositoryExistsAsync(string repository, CancellationToken cancellationToken) =>
        await manifests.ListTagsAsync(repository, null, 1, cancellationToken) is not null;

    /// <summary>One page (1-based) of the repository's tags; NAME_UNKNOWN when the repository is unknown.</summary>
    public async ValueTask<Result<TagList>> ListTagsAsync(string repository, TagOrder order, int page, int perPage, CancellationToken cancellationToken)
    {
        var offset = (int)Math.Min((long)(page - 1) * perPage, int.MaxValue);
        var found = await tags.ListAsync(repository, order, offset, perPage, cancellationToken);
        if (found is null)
        {
            return ErrorCode.NameUnknown;
        }

        var pulls = await PullCountsAsync(repository, found.Tags.Select(t => t.Digest), cancellationToken);
        var list = new List<TagSummary>(found.Tags.Count);
        foreach (var tag in found.Tags)
        {
            var summary = await summaries.SummarizeAsync(repository, tag.Digest, tag.MediaType, tag.Payload, cancellationToken);
            list.Add(new TagSummary(
                tag.Name,
                tag.Digest.Value,
                tag.MediaType,
                summary.Size,
                [.. summary.Platforms.Select(p => p.ToString())],
                tag.PushedAt.UtcDateTime,
                pulls.GetValueOrDefault(tag.Digest.Value)));
        }

        return new TagList(found.Total, page, perPage, list);
    }

    /// <summary>
    /// Everything about the manifest <paramref name="reference"/> (a tag or digest) names: NAME_UNKNOWN for an unknown
    /// repository, MANIFEST_UNKNOWN for an unknown or malformed reference.
    /// </summary>
    public async ValueTask<Result<ImageDetails>> GetImageAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        if (!await RepositoryExistsAsync(repository, cancellationToken))
        {
            return ErrorCode.NameUnknown;
        }

        if (!Digest.TryParse(reference, out _) && !TagName.IsValid(reference))
        {
            return ErrorCode.ManifestUnknown;
        }

        var found = await manifestService.GetAsync(repository, reference, cancellationToken);
        if (!found.IsOk)
        {
            return found.Error!;
        }

        var manifest = found.Value;
        using var document = JsonDocument.Parse(manifest.Payload, new JsonDocumentOptions { MaxDepth = 64 });
        var view = ManifestView.From(manifest.MediaType, document.RootElement);
        var summary = await summaries.SummarizeAsync(repository, manifest.Digest, manifest.MediaType, manifest.Payload, cancellationToken);

        var platforms = new List<PlatformSummary>();
        foreach (var child in view.Manifests)
        {
            var childSummary = await summaries.SummarizeChildAsync(repository, child, cancellationToken);
            var platform = child.Platform ?? childSummary.Platforms.FirstOrDefault();
            platforms.Add(new PlatformSummary(platform?.Os ?? "", platform?.Architecture ?? "", platform?.Variant, child.Digest.Value, childSummary.Size));
        }

        var config = view.IsRunnableImage ? await ImageConfig.ReadAsync(storage, view.Config!.Digest, view.Layers.Count, cancellationToken) : null;
        var layers = view.Layers.Select((l, i) => new LayerSummary(l.Digest.Value, l.MediaType, l.Size, i)).ToList();
        var referrers = await manifestService.ListReferrersAsync(repository, manifest.Digest, null, cancellationToken);
        var pulls = await PullCountsAsync(repository, [manifest.Digest], cancellationToken);

        return new ImageDetails(
            repository,
            reference,
            manifest.Digest.Value,
            manifest.MediaType,
            view.ArtifactType,
            summary.Size,
            document.RootElement.Clone(),
            platforms,
            config?.Summary,
            config?.History ?? [],
            layers,
            [.. referrers.Select(r => new ReferrerSummary(r.Digest.Value, r.ArtifactType, r.MediaType, r.Size, Annotations(r.AnnotationsJson)))],
            pulls.GetValueOrDefault(manifest.Digest.Value));
    }

    /// <summary>
    /// Removes a tag (not the manifest): NAME_UNKNOWN for an unknown repository, MANIFEST_UNKNOWN for an unknown tag.
    /// With <paramref name="expected"/>, only while the tag still points to that manifest (checked and deleted
    /// atomically), else TAG_MOVED.
    /// </summary>
    public async ValueTask<Result<bool>> DeleteTagAsync(string repository, string tag, Digest? expected, CancellationToken cancellationToken)
    {
        if (!await RepositoryExistsAsync(repository, cancellationToken))
        {
            return ErrorCode.NameUnknown;
        }

        return expected is { } digest
            ? await manifestService.DeleteTagIfAsync(repository, tag, digest, cancellationToken)
            : await manifestService.DeleteAsync(repository, tag, cancellationToken);
    }

    /// <summary>The pull count of each manifest digest in the repository (counts are flushed in batches, so a little behind).</summary>
    private async ValueTask<Dictionary<string, long>> PullCountsAsync(string repository, IEnumerable<Digest> digests, CancellationToken cancellationToken)
    {
        var distinct = digests.Distinct().ToList();
        var stats = distinct.Count == 0 ? null : await pulls.GetManifestPullsAsync(repository, distinct, cancellationToken);
        return stats?.ToDictionary(s => s.Key.Value, s => s.Value.Count) ?? [];
    }

    private static SortedDictionary<string, string> Annotations(string? json)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (json is null)
        {
            return annotations;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                annotations[property.Name] = property.Value.GetString()!;
            }
        }

        return annotations;
    }
}
