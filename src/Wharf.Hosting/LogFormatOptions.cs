using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>The <c>Logging:Format</c> key: how log lines are written to standard output.</summary>
public sealed class LogFormatOptions
{
    /// <summary><c>console</c>: one line of text per entry. <c>json</c>: one JSON object per line, with the request id scope.</summary>
    [Required]
    [RegularExpression("^(?i:console|json)$", ErrorMessage = "Logging:Format must be console or json")]
    public string Format { get; set; } = "console";

    public bool IsJson => string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and checks the section; throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> when it is wrong.</summary>
    public static LogFormatOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection("Logging").Get<LogFormatOptions>() ?? new LogFormatOptions();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new(options), results, validateAllProperties: true))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException("Logging", typeof(LogFormatOptions), results.Select(r => r.ErrorMessage ?? "invalid"));
        }

        return options;
    }
}
