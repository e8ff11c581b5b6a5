using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;

namespace Wharf.Core.Mirror;

/// <summary>What one eviction pass removed.</summary>
public sealed record EvictionResult(int Tags, int Manifests, int LinksQueued)
{
    public static readonly EvictionResult None = new(0, 0, 0);
}

/// <summary>
/// Forgets cached content nobody pulls (docs/design/mirroring.md, "Eviction"): removes cached tags and manifests not
/// served within <see cref="MirrorOptions.EvictAfter"/>, and queues for the collector the links of the blobs that no
/// remaining cached manifest names. Run by the garbage collector with its storage scan; safe on many instances at once
/// (deletes are idempotent, a link queued twice is reviewed once).
/// </summary>
public sealed partial class CacheEviction(
    MirrorOptions options, MirrorNames names, CachedManifests manifests, IGcStore gc, TimeProvider time, ILogger<CacheEviction> logger)
{
    public async ValueTask<EvictionResult> RunAsync(CancellationToken cancellationToken)
    {
        if (options.EvictAfter == TimeSpan.Zero)
        {
            return EvictionResult.None;
        }

        var total = EvictionResult.None;
        await foreach (var repository in manifests.ListRepositoriesAsync(cancellationToken))
        {
            // A prefix no longer configured is left alone: its links are ordinary ones to the collector now.
            if (names.IsCached(repository))
            {
                var result = await EvictAsync(repository, cancellationToken);
                total = new EvictionResult(total.Tags + result.Tags, total.Manifests + result.Manifests, total.LinksQueued + result.LinksQueued);
            }
        }

        if (total.Tags + total.Manifests > 0)
        {
            LogEvicted(logger, total.Tags, total.Manifests, total.LinksQueued, options.EvictAfter);
        }

        return total;
    }

    private async ValueTask<EvictionResult> EvictAsync(string repository, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tags = 0;
        var tagged = new HashSet<Protocol.Digest>();
        foreach (var tag in await manifests.ListTagsAsync(repository, cancellationToken))
        {
            if (await IsStaleAsync(repository, CachedManifests.TagKey(tag), now, cancellationToken))
            {
                await manifests.DeleteTagAsync(repository, tag, cancellationToken);
                tags++;
            }
            else if (await manifests.GetTagAsync(repository, tag, cancellationToken) is { } kept)
            {
                tagged.Add(kept.Digest);
            }
        }

        var evicted = 0;
        var named = new HashSet<string>(StringComparer.Ordinal);
        var freed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var digest in await manifests.ListManifestsAsync(repository, cancellationToken))
        {
            if (await manifests.GetAsync(repository, digest, cancellationToken) is not { } manifest)
            {
                continue;
            }

            // A manifest a remaining tag points at stays, however long ago it was last asked for by digest.
            if (!tagged.Contains(digest) && await IsStaleAsync(repository, CachedManifests.ManifestKey(digest), now, cancellationToken))
            {
                await manifests.DeleteAsync(repository, digest, cancellationToken);
                freed.UnionWith(CachedManifests.BlobsOf(manifest));
                evicted++;
            }
            else
            {
                named.UnionWith(CachedManifests.BlobsOf(manifest));
            }
        }

        // The collector checks again, against the cached manifests of the moment, before it removes any of these links.
        freed.ExceptWith(named);
        await gc.QueueLinksAsync(repository, freed, cancellationToken);
        return new EvictionResult(tags, evicted, freed.Count);
    }

    /// <summary>
    /// Whether the item was last served before <see cref="MirrorOptions.EvictAfter"/>. An item with no record (cached
    /// before records were kept, or whose record write failed) gets one now: its time starts with this pass.
    /// </summary>
    private async ValueTask<bool> IsStaleAsync(string repository, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var served = await manifests.GetServedAsync(repository, key, cancellationToken);
        if (served is null)
        {
            await manifests.PutServedAsync(repository, key, now, cancellationToken);
            return false;
        }

        return now - served.Value >= options.EvictAfter;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull-through cache: evicted {Tags} tags and {Manifests} manifests not pulled for {EvictAfter}; {Links} blob links queued for the collector")]
    private static partial void LogEvicted(ILogger logger, int tags, int manifests, int links, TimeSpan evictAfter);
}
