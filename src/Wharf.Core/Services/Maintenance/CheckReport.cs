using Wharf.Core.Metadata;

namespace Wharf.Core.Services.Maintenance;

/// <summary>One thing <c>wharf check</c> found wrong: where (<paramref name="Repository"/>, <paramref name="Subject"/>) and what.</summary>
public sealed record CheckProblem(string Repository, string Subject, string What)
{
    public override string ToString() => $"{Repository} {Subject}: {What}";
}

/// <summary>What <c>wharf check</c> looked at, and what it found.</summary>
public sealed record CheckReport(
    MetadataCounts Counts, long BlobsChecked, long BytesChecked, bool Sampled, IReadOnlyList<CheckProblem> Problems, int Quarantined)
{
    public bool IsClean => Problems.Count == 0;
}

/// <summary>Follows a check as it runs (a progress display); called from several threads at once.</summary>
public interface ICheckObserver
{
    /// <summary>The blob pass starts: <paramref name="blobs"/> blobs of <paramref name="bytes"/> bytes in all (null when not known ahead).</summary>
    void BlobsStarting(long blobs, long? bytes);

    void BlobChecked(BlobInfo blob);

    void ProblemFound(CheckProblem problem);

    /// <summary>The blob pass is over.</summary>
    void BlobsDone();
}

/// <summary>What to check and how: a sample instead of every blob, quarantining corrupt blobs, blobs verified at once.</summary>
public sealed record CheckSettings(SampleSize? Sample = null, bool Repair = false, int Parallelism = 4);
