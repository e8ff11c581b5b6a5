using System.Globalization;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Errors;

namespace Wharf.Http.Api;

/// <summary>Reads and checks JSON API query parameters; a bad one is API_REQUEST_INVALID naming it.</summary>
internal static class ApiQuery
{
    public static string? String(HttpContext context, string name)
    {
        var values = context.Request.Query[name];
        return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];
    }

    /// <summary><c>page</c> (from 1) and <c>perPage</c> (1 to <paramref name="maxPerPage"/>).</summary>
    public static Result<(int Page, int PerPage)> Paging(HttpContext context, int defaultPerPage, int maxPerPage)
    {
        if (!TryInt(context, "page", 1, 1, 1_000_000_000, out var page))
        {
            return Invalid("page must be a whole number from 1");
        }

        if (!TryInt(context, "perPage", defaultPerPage, 1, maxPerPage, out var perPage))
        {
            return Invalid($"perPage must be a whole number from 1 to {maxPerPage}");
        }

        return (page, perPage);
    }

    public static RegistryError Invalid(string message) => new(ErrorCode.ApiRequestInvalid, message);

    private static bool TryInt(HttpContext context, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return String(context, name) is not { } text
            || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

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
