using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services.Gc;

/// <summary>What happens to manifests that no tag, index or subject keeps.</summary>
public enum UntaggedManifestPolicy
{
    /// <summary>They stay until someone deletes them (Distribution's behaviour).</summary>
    Keep,

    /// <summary>They are deleted once untagged for <see cref="UntaggedManifestOptions.After"/>.</summary>
    Delete,
}

/// <summary>Settings for untagged manifests (config section <c>Gc:UntaggedManifests</c>).</summary>
public sealed class UntaggedManifestOptions
{
    public UntaggedManifestPolicy Policy { get; set; } = UntaggedManifestPolicy.Keep;

    /// <summary>How long a manifest stays untagged (and unneeded) before it is deleted, with <see cref="UntaggedManifestPolicy.Delete"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan After { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>Online garbage collection settings (config section <c>Gc</c>); see docs/design/gc.md.</summary>
public sealed class GcOptions : IValidatableObject
{
    /// <summary>Whether this instance runs the collector. Any number of instances may.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a blob or link stays unreferenced before it is deleted: longer than any push takes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Pause between collector cycles.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Queue rows reviewed in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long one blob batch may spend deleting bytes before it commits and leaves the rest to the next batch. On
    /// SQLite a batch holds the one writer while it deletes, so this bounds how long any push waits for the collector.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BlobBatchBudget { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The most of the time the collector may spend in batches while it works through a backlog: after each full
    /// batch it rests so long that it is busy at most this fraction of the time (1 = no rest).
    /// </summary>
    [Range(0.05, 1.0)]
    public double BusyFraction { get; set; } = 0.25;

    /// <summary>How often storage is searched for leftovers no row names (layer listings, upload objects).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan OrphanScanInterval { get; set; } = TimeSpan.FromHours(1);

    [Required]
    public UntaggedManifestOptions UntaggedManifests { get; set; } = new();

    /// <summary>Data annotations stop at the section's own properties: the nested <c>Gc:UntaggedManifests</c> is checked here.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(UntaggedManifests, new ValidationContext(UntaggedManifests), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult("Gc:UntaggedManifests: " + r.ErrorMessage, r.MemberNames));
    }
}
