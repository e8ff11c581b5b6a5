using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>The <c>Memory</c> section: when the server hands memory back to the system after a burst of work.</summary>
public sealed class MemoryOptions
{
    /// <summary>
    /// After this long without a request, if the server has worked since it last trimmed, idle buffers are let go and
    /// a full compacting collection returns the free memory to the system. Zero never trims.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan TrimAfterIdle { get; set; } = TimeSpan.FromSeconds(30);
}
