using Wharf.Core.Metadata;

namespace Wharf.Core.Services.Gc;

/// <summary>How far the offline collector is: <paramref name="Done"/> of <paramref name="Total"/> (null while unknown) for <paramref name="What"/>.</summary>
public readonly record struct GcProgress(string What, long Done = 0, long? Total = null);

/// <summary>What an offline mark and sweep would delete.</summary>
public sealed record GcPlan(
    IReadOnlyList<RepositoryDigest> Manifests, IReadOnlyList<RepositoryDigest> Links, IReadOnlyList<BlobInfo> Blobs, IReadOnlyList<string> StorageOrphans)
{
    public long BlobBytes => Blobs.Sum(b => b.Size);
}

/// <summary>
/// The offline mark and sweep (<c>wharf gc --dry-run | --run</c>) for a store restored from a backup or imported,
/// whose review queues do not describe it: marks what tags reach under the same rules as the online collector
/// (docs/design/gc.md), and sweeps by queueing everything and running the online collector with no grace periods,
/// so every deletion is re-checked exactly as online. Not for a store another process is writing to.
/// </summary>
public sealed class OfflineCollector(
    IGcGraphStore graph, GarbageCollector collector, OrphanScanner orphans, Storage.IStorageDriver storage, GcOptions options, TimeProvider time,
    Mirror.ICachedRepositories? cached = null)
{
    /// <summary>Most cycles one run takes (each index level, and each referrer level, needs one).</summary>
    private const int MaxCycles = 64;

    public bool DeletesUntagged(bool? deleteUntagged) => deleteUntagged ?? options.UntaggedManifests.Policy == UntaggedManifestPolicy.Delete;

    /// <summary>The plan; <paramref name="progress"/> is told how far the storage scan is (objects looked at, of about as many as there are blob rows).</summary>
    public async ValueTask<GcPlan> PlanAsync(bool? deleteUntagged, IProgress<GcProgress> progress, CancellationToken cancellationToken)
    {
        progress.Report(new GcProgress("reading metadata"));
        var read = await graph.ReadGraphAsync(cancellationToken);
        var kept = Mark(read, DeletesUntagged(deleteUntagged));
        var manifests = read.Manifests.Where(m => !kept.Contains((m.Repository, m.Digest)))
            .Select(m => new RepositoryDigest(m.Repository, Protocol.Digest.Parse(m.Digest))).ToList();
        var keptLinks = read.References
            .Where(r => !r.IsManifest && kept.Contains((r.Repository, r.Parent)))
            .Select(r => (r.Repository, r.Child)).ToHashSet();
        // The run's collector keeps the links of cached repositories that their cached manifests name: so does the plan.
        var namedByCache = new Mirror.CachedBlobNames(cached);
        foreach (var link in read.Links)
        {
            if (await namedByCache.NamesAsync(link.Repository, link.Digest.Value, cancellationToken))
            {
                keptLinks.Add((link.Repository, link.Digest.Value));
            }
        }
        var links = read.Links.Where(l => !keptLinks.Contains((l.Repository, l.Digest.Value))).ToList();
        var keptBlobs = keptLinks.Select(l => l.Child).ToHashSet(StringComparer.Ordinal);
        var blobs = read.Blobs.Where(b => !keptBlobs.Contains(b.Digest.Value)).ToList();
        var storage = new List<string>();
        var examined = 0L;
        await orphans.RemoveAsync(time.GetUtcNow(), dryRun: true, storage.Add, cancellationToken, includeBlobs: true, examined: () =>
        {
            examined++;
            // Objects without a row (leftovers, listings) may outnumber the estimate; past it the count goes on without a total.
            progress.Report(examined < read.Blobs.Count
                ? new GcProgress("storage objects checked", examined, read.Blobs.Count)
                : new GcProgress($"storage objects checked: {examined}"));
        });
        return new GcPlan(manifests, links, blobs, storage);
    }

    /// <summary>Deletes what <see cref="PlanAsync"/> lists; returns the totals.</summary>
    public async ValueTask<GcCycleResult> RunAsync(bool? deleteUntagged, IProgress<GcProgress> progress, CancellationToken cancellationToken)
    {
        progress.Report(new GcProgress("queueing every candidate"));
        await graph.QueueEverythingAsync(cancellationToken);
        var total = new GcCycleResult(0, 0, 0, 0, 0);
        for (var cycle = 1; cycle <= MaxCycles; cycle++)
        {
            var result = await collector.RunCycleAsync(cancellationToken, ignoreGracePeriods: true, collectUntagged: DeletesUntagged(deleteUntagged));
            total = new GcCycleResult(
                total.ManifestsDeleted + result.ManifestsDeleted, total.LinksDeleted + result.LinksDeleted, total.BlobsDeleted + result.BlobsDeleted,
                total.BytesReclaimed + result.BytesReclaimed, total.OrphansDeleted + result.OrphansDeleted);
            progress.Report(new GcProgress($"cycle {cycle}: {total.ManifestsDeleted} manifests, {total.LinksDeleted} links, {total.BlobsDeleted} blobs deleted"));
            if (result.ManifestsDeleted + result.LinksDeleted + result.BlobsDeleted == 0)
            {
                break;
            }
        }

        var leftovers = await orphans.RemoveAsync(time.GetUtcNow(), dryRun: false, _ => { }, cancellationToken, includeBlobs: true);
        if (storage.GetCapability<Storage.IStorageCleanup>() is { } cleanup)
        {
            progress.Report(new GcProgress("looking for store-specific leftovers"));
            leftovers += await cleanup.RemoveUnreferencedAsync(time.GetUtcNow(), cancellationToken);
        }

        return total with { OrphansDeleted = total.OrphansDeleted + leftovers };
    }

    /// <summary>The manifests that stay, as (repository, digest): the reachability rules of docs/design/gc.md.</summary>
    public static HashSet<(string Repository, string Digest)> Mark(GcGraph graph, bool deleteUntagged)
    {
        var all = graph.Manifests.ToDictionary(m => (m.Repository, m.Digest));
        if (!deleteUntagged)
        {
            return [.. all.Keys];
        }

        var children = graph.References.Where(r => r.IsManifest).ToLookup(r => (r.Repository, r.Parent), r => r.Child);
        var referrers = graph.Manifests.Where(m => m.Subject is not null).ToLookup(m => (m.Repository, m.Subject!), m => m.Digest);
        var kept = new HashSet<(string, string)>();
        var work = new Stack<(string Repository, string Digest)>();
        foreach (var manifest in graph.Manifests.Where(m => m.Tagged))
        {
            work.Push((manifest.Repository, manifest.Digest));
            if (manifest.Subject is { } subject && all.ContainsKey((manifest.Repository, subject)))
            {
                work.Push((manifest.Repository, subject));
            }
        }

        while (work.TryPop(out var key))
        {
            if (!all.ContainsKey(key) || !kept.Add(key))
            {
                continue;
            }

            foreach (var child in children[key])
            {
                work.Push((key.Repository, child));
            }

            foreach (var referrer in referrers[key])
            {
                work.Push((key.Repository, referrer));
            }
        }

        return kept;
    }
}
