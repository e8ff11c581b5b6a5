using System.Net;

namespace Wharf.Client;

/// <summary>One entry of a registry's <c>errors</c> array.</summary>
public sealed record RegistryErrorDetail(string Code, string? Message);

/// <summary>The registry answered, and refused: the status and its <c>errors</c> array (empty when it sent none).</summary>
public class RegistryClientException(HttpStatusCode status, IReadOnlyList<RegistryErrorDetail> errors, string message)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public IReadOnlyList<RegistryErrorDetail> Errors { get; } = errors;
}

/// <summary>Why a registry could not be used just now: callers serve what they have and try again later.</summary>
public enum UnavailableReason
{
    /// <summary>No connection: refused, reset, or the name does not resolve.</summary>
    Unreachable,

    /// <summary>No answer within the client's timeout.</summary>
    Timeout,

    /// <summary>429: the registry asks its callers to slow down.</summary>
    TooManyRequests,

    /// <summary>502, 503 or 504: the registry or a proxy in front of it is failing.</summary>
    ServerError,
}

/// <summary>The registry could not be used (after the retries an idempotent request gets), as opposed to refusing.</summary>
public sealed class RegistryUnavailableException(UnavailableReason reason, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public UnavailableReason Reason { get; } = reason;

    /// <summary>The registry's <c>Retry-After</c>, when it gave one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
