using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>
/// The <c>Tracing</c> section: OpenTelemetry spans exported over OTLP. Off by default; off, no listener is registered
/// and no span is made.
/// </summary>
public sealed class TracingOptions : IValidatableObject
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>Export spans at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The OTLP receiver's base URI (<c>http://collector:4318</c> for http/protobuf, <c>http://collector:4317</c> for
    /// grpc). With http/protobuf, <c>/v1/traces</c> is added unless the path already ends with it. Required when enabled.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = HttpProtobuf;

    /// <summary>The share of new traces kept, from 0 to 1; a request that arrives in a sampled trace is always kept.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Tracing:SampleRatio must be between 0 and 1")]
    public double SampleRatio { get; set; } = 1;

    /// <summary>The <c>service.name</c> of every span.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Tracing:ServiceName must not be empty")]
    public string ServiceName { get; set; } = "wharf";

    /// <summary>Headers sent with every export (e.g. an API key), by name.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Protocol is not (Grpc or HttpProtobuf))
        {
            yield return new ValidationResult($"Tracing:Protocol must be {Grpc} or {HttpProtobuf}, not '{Protocol}'", [nameof(Protocol)]);
        }

        if (Endpoint is null or "")
        {
            if (Enabled)
            {
                yield return new ValidationResult("Tracing:Endpoint is required when Tracing:Enabled is true (e.g. http://collector:4318)", [nameof(Endpoint)]);
            }
        }
        else if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0)
        {
            yield return new ValidationResult($"Tracing:Endpoint must be an absolute http or https URI without a query, not '{Endpoint}'", [nameof(Endpoint)]);
        }

        foreach (var (name, value) in Headers)
        {
            if (name.Length == 0 || !name.All(IsTokenCharacter))
            {
                yield return new ValidationResult($"Tracing:Headers:{name} is not a valid header name", [nameof(Headers)]);
            }
            else if (value.Any(c => c is ',' || char.IsControl(c)))
            {
                yield return new ValidationResult($"Tracing:Headers:{name} must not contain a comma or a control character", [nameof(Headers)]);
            }
        }
    }

    /// <summary>The URI the exporter sends to: for http/protobuf, the traces path under the base endpoint.</summary>
    public Uri ExportUri()
    {
        var uri = new Uri(Endpoint!, UriKind.Absolute);
        if (Protocol != HttpProtobuf || uri.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            return uri;
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath.TrimEnd('/') + "/v1/traces");
    }

    private static bool IsTokenCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
