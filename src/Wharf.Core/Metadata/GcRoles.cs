using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>A manifest or blob link of one repository, by name.</summary>
public readonly record struct RepositoryDigest(string Repository, Digest Digest);

/// <summary>What one collect call did: the rows it reviewed (deleted or not), and what it deleted.</summary>
public sealed record GcBatch<T>(int Reviewed, IReadOnlyList<T> Deleted);

/// <summary>A blob the collector deleted, bytes and row.</summary>
public readonly record struct DeletedBlob(Digest Digest, long Size);

/// <summary>Queue depths and totals of the garbage collector, as stored.</summary>
/// <param name="Queued">Rows in each review queue (manifests, links, blobs).</param>
/// <param name="Due">Of those, how many are past their grace period (or untagged period) now.</param>
public sealed record GcStoreStatus(GcQueueCounts Queued, GcQueueCounts Due, GcTotals Totals);

public readonly record struct GcQueueCounts(long Manifests, long Links, long Blobs);

/// <summary>What the collector has removed since the store was created; <paramref name="LastCycleAt"/> null before the first cycle.</summary>
public readonly record struct GcTotals(long BlobsDeleted, long BytesReclaimed, long LinksDeleted, long ManifestsDeleted, DateTimeOffset? LastCycleAt);

/// <summary>
/// The garbage collector's review queues (docs/design/gc.md). Every collect call claims at most
/// <c>limit</c> due rows, re-checks each candidate under the writers' locks and deletes only what nothing
/// reaches, all in one transaction; rows another instance holds are skipped.
/// </summary>
public interface IGcStore
{
    /// <summary>Deletes untagged manifests that nothing needs and that became candidates at or before <paramref name="dueBefore"/>.</summary>
    ValueTask<GcBatch<RepositoryDigest>> CollectManifestsAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Removes blob links that no manifest of their repository references, candidates since <paramref name="dueBefore"/> or earlier.</summary>
    ValueTask<GcBatch<RepositoryDigest>> CollectLinksAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes blobs that no repository links, candidates since <paramref name="dueBefore"/> or earlier: for each,
    /// <paramref name="deleteBytes"/> runs while the transaction holds the blob's row, then the row goes. When
    /// <paramref name="deleteBytes"/> throws, that blob's row stays and the error ends the call. Once the deletes have
    /// taken <paramref name="budget"/>, the rest of the claimed rows are left for the next call (on SQLite the batch
    /// holds the one writer, so every push waits for it).
    /// </summary>
    ValueTask<GcBatch<DeletedBlob>> CollectBlobsAsync(
        DateTimeOffset dueBefore, int limit, TimeSpan budget, Func<Digest, CancellationToken, ValueTask> deleteBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Called by an upload commit before it looks at the blob's path: a blob that is a candidate stays one for
    /// another grace period, and if the collector is deleting it right now, this waits until it has finished.
    /// </summary>
    ValueTask HoldBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="digests"/> have a <c>blobs</c> row (linked or not).</summary>
    ValueTask<IReadOnlySet<string>> FindRecordedAsync(IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>
    /// Queues the links of <paramref name="repository"/> to <paramref name="digests"/> for review, candidates from now
    /// on (a link that does not exist is skipped): the pull-through cache's eviction, whose manifests are not rows.
    /// </summary>
    ValueTask QueueLinksAsync(string repository, IReadOnlyCollection<string> digests, CancellationToken cancellationToken);

    /// <summary>Records the end of a collector cycle.</summary>
    ValueTask RecordCycleAsync(DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Queue depths (and how many rows are due with the given cut-offs) and totals.</summary>
    ValueTask<GcStoreStatus> GetStatusAsync(DateTimeOffset linksAndBlobsDueBefore, DateTimeOffset manifestsDueBefore, CancellationToken cancellationToken);
}

/// <summary>A manifest as the offline collector sees it.</summary>
public sealed record GraphManifest(string Repository, string Digest, string? Subject, bool Tagged);

/// <summary>A manifest's reference: <paramref name="IsManifest"/> for an index's child, else a blob.</summary>
public sealed record GraphReference(string Repository, string Parent, string Child, bool IsManifest);

/// <summary>Everything that refers to bytes, read at once for the offline mark and sweep.</summary>
public sealed record GcGraph(
    IReadOnlyList<GraphManifest> Manifests, IReadOnlyList<GraphReference> References, IReadOnlyList<RepositoryDigest> Links, IReadOnlyList<BlobInfo> Blobs);

/// <summary>What the offline collector (<c>wharf gc --dry-run | --run</c>) reads and queues.</summary>
public interface IGcGraphStore
{
    /// <summary>Every manifest, reference, link and blob row. For an offline tool: it holds the whole graph in memory.</summary>
    ValueTask<GcGraph> ReadGraphAsync(CancellationToken cancellationToken);

    /// <summary>Puts every link, every untagged manifest and every unlinked blob in the review queues, due at once.</summary>
    ValueTask QueueEverythingAsync(CancellationToken cancellationToken);
}

/// <summary>Deletes whole repositories.</summary>
public interface IRepositoryDeleter
{
    /// <summary>
    /// Deletes the repository with its tags, manifests, links, pull figures and description in one transaction, and
    /// queues its blobs for review. False when there was no such repository.
    /// </summary>
    ValueTask<bool> DeleteAsync(string repository, CancellationToken cancellationToken);
}

/// <summary>
/// Told about metadata removed behind the stores' usual write paths (the garbage collector, repository deletes),
/// after the change committed: in-process caches forget what they hold of it.
/// </summary>
public interface IMetadataChangeObserver
{
    void LinksRemoved(IReadOnlyList<RepositoryDigest> links);

    void ManifestsRemoved(IReadOnlyList<RepositoryDigest> manifests);

    void RepositoryRemoved(string repository);
}
