using System.Globalization;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;

namespace Wharf.Http.Api;

/// <summary>Reading query parameters of the JSON API; a malformed one is an <see cref="ErrorCode.ApiRequestInvalid"/> error.</summary>
internal static class ApiQuery
{
    /// <summary>The first value of <paramref name="name"/>, or null when absent.</summary>
    public static string? Text(HttpRequest request, string name)
    {
        var values = request.Query[name];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>An integer parameter in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent or empty.</summary>
    public static Result<int> Integer(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = Text(request, name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : new RegistryError(ErrorCode.ApiRequestInvalid, $"{name} must be a whole number from {min} to {max}");
    }
}
