namespace Wharf.Core.Errors;

/// <summary>An expected failure, returned as a value. <paramref name="Message"/> null means the code's default.</summary>
public sealed record RegistryError(ErrorCode Code, string? Message = null, object? Detail = null)
{
    public string EffectiveMessage => Message ?? Code.Describe().Message;

    /// <summary>When the client may try again (sent as <c>Retry-After</c>, in whole seconds); null sends none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static implicit operator RegistryError(ErrorCode code) => new(code);
}
