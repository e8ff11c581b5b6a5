using Microsoft.Extensions.Logging;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Gc;

/// <summary>What one collector cycle removed.</summary>
public sealed record GcCycleResult(int ManifestsDeleted, int LinksDeleted, int BlobsDeleted, long BytesReclaimed, int OrphansDeleted);

/// <summary>
/// The online garbage collector (docs/design/gc.md): each cycle empties what is due of the review queues, manifests
/// first, then links, then blobs, each in batches; now and then it also looks for storage leftovers that no row names.
/// Safe to run on any number of instances at once.
/// </summary>
public sealed partial class GarbageCollector(
    IGcStore store,
    IStorageDriver storage,
    OrphanScanner orphans,
    IEnumerable<IMetadataChangeObserver> observers,
    GcOptions options,
    TimeProvider time,
    ILogger<GarbageCollector> logger,
    Mirror.CacheEviction? eviction = null)
{
    /// <summary>Batches of one kind per cycle at most, so one cycle never runs unbounded.</summary>
    private const int MaxBatchesPerStep = 1000;

    /// <summary>Tries of one batch that the database aborts as transient (a deadlock between instances).</summary>
    private const int MaxAttempts = 8;

    private DateTimeOffset? _lastOrphanScan;

    /// <summary>
    /// One cycle. <paramref name="ignoreGracePeriods"/> (the offline <c>wharf gc --run</c>) treats every queued row as due;
    /// <paramref name="collectUntagged"/> overrides <see cref="UntaggedManifestOptions.Policy"/>.
    /// </summary>
    public async ValueTask<GcCycleResult> RunCycleAsync(CancellationToken cancellationToken, bool ignoreGracePeriods = false, bool? collectUntagged = null)
    {
        var now = time.GetUtcNow();
        var due = ignoreGracePeriods ? DateTimeOffset.MaxValue.AddDays(-1) : now - options.GracePeriod;
        var manifests = 0;
        if (collectUntagged ?? options.UntaggedManifests.Policy == UntaggedManifestPolicy.Delete)
        {
            var manifestsDue = ignoreGracePeriods ? due : now - options.UntaggedManifests.After;
            manifests = await DrainAsync(() => store.CollectManifestsAsync(manifestsDue, options.BatchSize, cancellationToken), o => o.ManifestsRemoved, !ignoreGracePeriods, cancellationToken);
        }

        // The cache's eviction walks storage too, so it runs on the storage scan's schedule, before the links it queues are reviewed.
        var scanStorage = ignoreGracePeriods || _lastOrphanScan is null || now - _lastOrphanScan >= options.OrphanScanInterval;
        if (scanStorage && eviction is not null)
        {
            await eviction.RunAsync(cancellationToken);
        }

        var links = await DrainAsync(() => store.CollectLinksAsync(due, options.BatchSize, cancellationToken), o => o.LinksRemoved, !ignoreGracePeriods, cancellationToken);
        var blobs = 0;
        var bytes = 0L;
        for (var batch = 0; batch < MaxBatchesPerStep && !cancellationToken.IsCancellationRequested; batch++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var batchResult = await RetryAsync(() => store.CollectBlobsAsync(due, options.BatchSize, options.BlobBatchBudget, DeleteBytesAsync, cancellationToken), cancellationToken);
            var deleted = batchResult.Deleted;
            blobs += deleted.Count;
            bytes += deleted.Sum(b => b.Size);
            foreach (var blob in deleted)
            {
                LogBlobDeleted(logger, blob.Digest.Value, blob.Size);
            }

            if (batchResult.Reviewed < options.BatchSize)
            {
                break;
            }

            await PaceAsync(started, !ignoreGracePeriods, cancellationToken);
        }

        var orphaned = 0;
        if (scanStorage)
        {
            _lastOrphanScan = now;
            orphaned = await orphans.RemoveAsync(ignoreGracePeriods ? now : now - options.GracePeriod, dryRun: false, _ => { }, cancellationToken);
        }

        await store.RecordCycleAsync(now, cancellationToken);
        var result = new GcCycleResult(manifests, links, blobs, bytes, orphaned);
        if (manifests + links + blobs + orphaned > 0)
        {
            LogCycle(logger, manifests, links, blobs, bytes, orphaned);
        }

        return result;
    }

    private ValueTask DeleteBytesAsync(Digest digest, CancellationToken cancellationToken) =>
        storage.DeleteAsync(StorageLayout.Blob(digest), cancellationToken);

    private async ValueTask<int> DrainAsync(
        Func<ValueTask<GcBatch<RepositoryDigest>>> collect, Func<IMetadataChangeObserver, Action<IReadOnlyList<RepositoryDigest>>> tell, bool pace, CancellationToken cancellationToken)
    {
        var total = 0;
        for (var batch = 0; batch < MaxBatchesPerStep && !cancellationToken.IsCancellationRequested; batch++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var batchResult = await RetryAsync(collect, cancellationToken);
            var removed = batchResult.Deleted;
            total += removed.Count;
            if (removed.Count > 0)
            {
                foreach (var observer in observers)
                {
                    tell(observer)(removed);
                }
            }

            if (batchResult.Reviewed < options.BatchSize)
            {
                break;
            }

            await PaceAsync(started, pace, cancellationToken);
        }

        return total;
    }

    /// <summary>
    /// Between two full batches, rests so that the collector is busy at most <see cref="GcOptions.BusyFraction"/> of the
    /// time: on two cores its batches and their storage deletes would otherwise take the CPU and the database from pushes.
    /// Real time, not the injected clock: this spaces work out, it schedules nothing.
    /// </summary>
    private static Task PaceAsync(long started, bool pace, double busyFraction, CancellationToken cancellationToken)
    {
        if (!pace || busyFraction >= 1)
        {
            return Task.CompletedTask;
        }

        var rest = System.Diagnostics.Stopwatch.GetElapsedTime(started) * ((1 / busyFraction) - 1);
        return rest <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(rest, TimeProvider.System, cancellationToken);
    }

    private Task PaceAsync(long started, bool pace, CancellationToken cancellationToken) =>
        PaceAsync(started, pace, options.BusyFraction, cancellationToken);

    /// <summary>
    /// Runs one batch again when the engine aborted it as transient: two instances' batches can deadlock on PostgreSQL
    /// (each queues a row the other has claimed); the engine aborts one, whose changes are all undone, and it retries.
    /// </summary>
    private async ValueTask<T> RetryAsync<T>(Func<ValueTask<T>> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await batch();
            }
            catch (System.Data.Common.DbException e) when (e.IsTransient && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                LogBatchRetried(logger, attempt, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "A collector batch was aborted by the database (attempt {Attempt}: {Reason}); running it again")]
    private static partial void LogBatchRetried(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Deleted blob {Digest} ({Size} bytes)")]
    private static partial void LogBlobDeleted(ILogger logger, string digest, long size);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Garbage collection: {Manifests} manifests, {Links} blob links, {Blobs} blobs ({Bytes} bytes), {Orphans} storage leftovers removed")]
    private static partial void LogCycle(ILogger logger, int manifests, int links, int blobs, long bytes, int orphans);
}
