using Wharf.Core.Errors;

namespace Wharf.Http.Handlers;

/// <summary>The <c>n</c> and <c>last</c> query parameters, and the <c>Link</c> header to the next page.</summary>
public static class Pagination
{
    /// <summary>Reads <c>n</c>: null when absent, an error when not a non-negative integer.</summary>
    public static Result<int?> ReadCount(RegistryRequest request)
    {
        var text = request.Query("n");
        if (text is null || text.Length == 0)
        {
            return Result<int?>.Ok(null);
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, null, out var n)
            ? Result<int?>.Ok(n)
            : new RegistryError(ErrorCode.PaginationNumberInvalid, $"n must be a non-negative integer, not '{text}'");
    }

    /// <summary><c>&lt;path?n=N&amp;last=L&gt;; rel="next"</c>, with extra query already encoded in <paramref name="extraQuery"/>.</summary>
    public static KeyValuePair<string, string> NextLink(string path, int n, string last, string extraQuery = "") =>
        new("Link", $"<{path}?{extraQuery}n={n}&last={Uri.EscapeDataString(last)}>; rel=\"next\"");
}
