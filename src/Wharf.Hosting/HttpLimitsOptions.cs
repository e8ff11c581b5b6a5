using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>
/// The connection limits in the <c>Http</c> section, handed to Kestrel: how long a client may take to send its
/// headers or stay idle between requests, how slowly it may send a body or read an answer, and how large its headers
/// may be. The defaults let a 1 Mbit/s client push a layer of any size (it sends 125,000 bytes a second, far above
/// the minimum rate) and drop clients that hold a connection without using it.
/// </summary>
public sealed class HttpLimitsOptions : IValidatableObject
{
    /// <summary>Most time from a connection's first request byte (or the end of the previous request) to the end of the headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most time an idle keep-alive connection stays open between requests.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Bytes per second a request body must keep arriving at once its grace period is over; 0 turns the check off.</summary>
    [Range(0, 1L << 40)]
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>Bytes per second a client must keep reading an answer at once its grace period is over; 0 turns the check off.</summary>
    [Range(0, 1L << 40)]
    public double MinResponseDataRate { get; set; } = 240;

    /// <summary>How long a body or answer may stay below its minimum rate before the request ends (more than a second).</summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most bytes of request line and headers together (larger: 431).</summary>
    [Range(1024, 1 << 24)]
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most request headers (more: 431).</summary>
    [Range(1, 10_000)]
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Most open connections; null means no cap (each idle connection costs a few kilobytes).</summary>
    [Range(1, long.MaxValue)]
    public long? MaxConcurrentConnections { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestHeadersTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Http:RequestHeadersTimeout must be positive, e.g. 00:00:30");
        }

        if (KeepAliveTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Http:KeepAliveTimeout must be positive, e.g. 00:02:10");
        }

        // Kestrel measures rates once a second, so a grace period must be longer than that.
        if (DataRateGracePeriod <= TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Http:DataRateGracePeriod must be longer than one second, e.g. 00:00:05");
        }
    }

    /// <summary>Applies these limits to Kestrel's.</summary>
    public void ApplyTo(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits limits)
    {
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyDataRate > 0 ? new(MinRequestBodyDataRate, DataRateGracePeriod) : null;
        limits.MinResponseDataRate = MinResponseDataRate > 0 ? new(MinResponseDataRate, DataRateGracePeriod) : null;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
    }
}
