using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>The <c>Logging:Format</c> key: how log lines are written to standard output (<see cref="WharfLogging"/>).</summary>
public sealed class LogFormatOptions
{
    /// <summary><c>console</c>: one line of text per entry. <c>json</c>: one JSON object per line, with the request id scope.</summary>
    [Required]
    [RegularExpression("^(?i:console|json)$", ErrorMessage = "Logging:Format must be console or json")]
    public string Format { get; set; } = "console";

    public bool IsJson => string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase);
}
