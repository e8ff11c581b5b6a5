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

    /// <summary>
    /// Why a search text <c>q</c> cannot be searched for, or null: longer than <paramref name="maxLength"/>, or holding a
    /// NUL, which no repository name or description holds and neither SQLite's full-text query parser nor PostgreSQL
    /// accepts in a string.
    /// </summary>
    public static RegistryError? SearchTextError(string text, int maxLength) =>
        text.Length > maxLength ? new RegistryError(ErrorCode.ApiRequestInvalid, $"q is limited to {maxLength} characters")
        : text.Contains('\0', StringComparison.Ordinal) ? new RegistryError(ErrorCode.ApiRequestInvalid, "q must not contain NUL characters")
        : null;

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
