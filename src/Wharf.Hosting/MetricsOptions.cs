using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>
/// The <c>Metrics</c> section: the Prometheus scrape endpoint. It needs no credentials: every label is
/// repository-agnostic (route family, status, operation, driver), so it reveals no names.
/// </summary>
public sealed class MetricsOptions : IValidatableObject
{
    private static readonly string[] TakenPrefixes = ["/v2", "/v1", "/api", "/auth", "/ui", "/r/", "/sign-in"];

    /// <summary>Serve metrics at all. Off, no instrument is registered and nothing is measured.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scrape path.</summary>
    [RegularExpression(@"^/[A-Za-z0-9._\-/]*$", ErrorMessage = "Metrics:Path must be an absolute path of letters, digits, '.', '_', '-' and '/'")]
    public string Path { get; set; } = "/metrics";

    /// <summary>A HOST:PORT of its own for the scrape endpoint (then the main port does not serve it); null serves it on the main port.</summary>
    [RegularExpression(@"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):\d{1,5}$", ErrorMessage = "Metrics:Listen must be HOST:PORT")]
    public string? Listen { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var prefix in TakenPrefixes)
        {
            if (Path == "/" || Path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"Metrics:Path {Path} is taken by the registry, its API or its web UI", [nameof(Path)]);
                break;
            }
        }

        if (Listen is not null && Listen.EndsWith(":0", StringComparison.Ordinal))
        {
            yield return new ValidationResult("Metrics:Listen needs a fixed port (not 0)", [nameof(Listen)]);
        }
    }
}
