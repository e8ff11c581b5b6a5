using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Wharf.Auth;

namespace Wharf.Hosting;

/// <summary>Reads and checks the <c>Auth</c> section.</summary>
public static class AuthConfiguration
{
    /// <summary>The options, or <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static AuthOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException("Auth", typeof(AuthOptions), results.Select(r => r.ErrorMessage ?? "invalid"));
        }

        return options;
    }
}
