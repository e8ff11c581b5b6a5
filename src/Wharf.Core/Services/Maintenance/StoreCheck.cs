using Wharf.Core.Metadata;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Maintenance;

/// <summary>
/// <c>wharf check</c>: verifies that every blob the metadata records (or a random sample of them) is stored whole, and
/// that every reference between records resolves. With <see cref="CheckSettings.Repair"/>, a blob whose bytes are corrupt
/// (wrong size or digest) is moved to <see cref="StorageLayout.QuarantinedBlob"/>: pulls then answer BLOB_UNKNOWN instead
/// of serving wrong bytes, and the next push of the blob publishes fresh ones. Read-only otherwise; safe while serving.
/// </summary>
public sealed class StoreCheck(IStorageDriver storage, IMetadataInventory inventory, IBlobIndex blobs, Random random)
{
    private const int PageSize = 1000;

    /// <summary>How many repositories a blob problem names.</summary>
    private const int RepositoriesNamed = 5;

    public async Task<CheckReport> RunAsync(CheckSettings settings, ICheckObserver observer, CancellationToken cancellationToken)
    {
        var counts = await inventory.CountAsync(cancellationToken);
        var problems = new List<CheckProblem>();
        var checkedBlobs = 0L;
        var checkedBytes = 0L;
        var quarantined = 0;

        async ValueTask CheckOneAsync(BlobInfo blob, CancellationToken ct)
        {
            var (problem, moved) = await CheckBlobAsync(blob, settings.Repair, ct);
            Interlocked.Increment(ref checkedBlobs);
            Interlocked.Add(ref checkedBytes, blob.Size);
            observer.BlobChecked(blob);
            if (problem is not null)
            {
                lock (problems)
                {
                    problems.Add(problem);
                    quarantined += moved ? 1 : 0;
                }

                observer.ProblemFound(problem);
            }
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Parallelism), CancellationToken = cancellationToken };
        if (settings.Sample is { } sample)
        {
            var picked = await PickAsync(sample.Of(counts.Blobs), cancellationToken);
            observer.BlobsStarting(picked.Count, picked.Sum(b => b.Size));
            await Parallel.ForEachAsync(picked, parallel, CheckOneAsync);
        }
        else
        {
            observer.BlobsStarting(counts.Blobs, null);
            string? after = null;
            while (true)
            {
                var page = await inventory.ListBlobsAsync(after, PageSize, cancellationToken);
                await Parallel.ForEachAsync(page, parallel, CheckOneAsync);
                if (page.Count < PageSize)
                {
                    break;
                }

                after = page[^1].Digest.Value;
            }
        }

        observer.BlobsDone();
        await foreach (var broken in inventory.FindBrokenReferencesAsync(cancellationToken))
        {
            var problem = new CheckProblem(broken.Repository, broken.Source, Describe(broken));
            problems.Add(problem);
            observer.ProblemFound(problem);
        }

        return new CheckReport(counts, checkedBlobs, checkedBytes, settings.Sample is not null, problems, quarantined);
    }

    /// <summary>
    /// Verifies one blob. A fault is reported only if the blob's record still exists afterwards (a blob deleted while it
    /// was checked is no problem), and missing bytes only for a blob some repository links: the garbage collector deletes
    /// an unlinked blob's bytes before its record (docs/design/gc.md), and such a record is invisible to pulls and mounts.
    /// Repairs only an object that is still the one found corrupt.
    /// </summary>
    private async ValueTask<(CheckProblem? Problem, bool Quarantined)> CheckBlobAsync(BlobInfo blob, bool repair, CancellationToken cancellationToken)
    {
        var verdict = await BlobVerifier.VerifyAsync(storage, blob, cancellationToken);
        if (verdict.Fault is null || await inventory.FindBlobAsync(blob.Digest, cancellationToken) is null)
        {
            return (null, false);
        }

        var holders = await blobs.ListRepositoriesAsync(blob.Digest, RepositoriesNamed + 1, cancellationToken);
        if (verdict.Fault == BlobFault.Missing && holders.Count == 0)
        {
            return (null, false);
        }

        var what = verdict.Describe();
        var moved = false;
        if (repair && verdict.Fault is BlobFault.WrongSize or BlobFault.WrongDigest)
        {
            var path = StorageLayout.Blob(blob.Digest);
            var now = await storage.StatAsync(path, cancellationToken);
            if (now == verdict.Seen)
            {
                await storage.MoveAsync(path, StorageLayout.QuarantinedBlob(blob.Digest), cancellationToken);
                what += $"; quarantined to {StorageLayout.QuarantinedBlob(blob.Digest)} (push the blob again to restore it)";
                moved = true;
            }
            else
            {
                what += "; not quarantined: the object changed while it was checked (run the check again)";
            }
        }

        var named = holders.Count == 0 ? "(no repository)"
            : string.Join(',', holders.Take(RepositoriesNamed)) + (holders.Count > RepositoriesNamed ? ",…" : "");
        return (new CheckProblem(named, "blob " + blob.Digest.Value, what), moved);
    }

    /// <summary>A uniform random sample of <paramref name="size"/> blob records, one pass over them (reservoir sampling).</summary>
    private async ValueTask<List<BlobInfo>> PickAsync(long size, CancellationToken cancellationToken)
    {
        var reservoir = new List<BlobInfo>((int)Math.Min(size, 1 << 20));
        var seen = 0L;
        string? after = null;
        while (size > 0)
        {
            var page = await inventory.ListBlobsAsync(after, PageSize, cancellationToken);
            foreach (var blob in page)
            {
                seen++;
                if (reservoir.Count < size)
                {
                    reservoir.Add(blob);
                }
                else if (random.NextInt64(seen) is var slot && slot < size)
                {
                    reservoir[(int)slot] = blob;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Digest.Value;
        }

        return reservoir;
    }

    private static string Describe(ReferenceProblem problem) => problem.Kind switch
    {
        ReferenceProblemKind.BlobNotLinked => $"refers to blob {problem.Target}, which the repository does not hold",
        ReferenceProblemKind.ChildManifestMissing => $"refers to manifest {problem.Target}, which the repository does not hold",
        ReferenceProblemKind.TagTargetMissing => $"points to manifest {problem.Target}, which the repository does not hold",
        _ => $"links blob {problem.Target}, which has no blob record",
    };
}
