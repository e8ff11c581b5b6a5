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

    /// <summary>A non-empty parameter's value, or null when absent or empty (an empty filter filters nothing).</summary>
    public static string? Filter(HttpRequest request, string name) => Text(request, name) is { Length: > 0 } value ? value : null;

    /// <summary>A row id parameter (a page's <c>last</c>, an event's seq), or null when absent; <paramref name="meaning"/> completes "… must be".</summary>
    public static Result<long?> Id(HttpRequest request, string name, string meaning)
    {
        if (Filter(request, name) is not { } text)
        {
            return (long?)null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? Result<long?>.Ok(id)
            : new RegistryError(ErrorCode.ApiRequestInvalid, $"{name} must be {meaning}");
    }

    /// <summary>
    /// The <c>Link: &lt;…&gt;; rel="next"</c> value for a page that continues below the id <paramref name="last"/>: this
    /// request's path and parameters, with <c>last</c> replaced.
    /// </summary>
    public static string NextPageLink(HttpRequest request, long last)
    {
        var query = request.Query.Where(p => p.Key != "last").SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        query.Add(new("last", last.ToString(CultureInfo.InvariantCulture)));
        return $"<{request.PathBase}{request.Path}{QueryString.Create(query)}>; rel=\"next\"";
    }
}
