using System.ComponentModel.DataAnnotations;

namespace Wharf.Http.Health;

/// <summary>The <c>Health</c> section: how long <c>/readyz</c> waits for each backing store.</summary>
public sealed class HealthOptions
{
    /// <summary>Most time one readiness check (storage, metadata) may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The <c>Shutdown</c> section: what happens between SIGTERM and exit.</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// Most time requests already in flight get to finish after SIGTERM (while <c>/readyz</c> and new requests answer 503).
    /// The drain ends earlier once none is left.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTime { get; set; } = TimeSpan.FromSeconds(30);
}
