namespace Wharf.Http.Handlers;

/// <summary>The <c>n</c> and <c>last</c> query parameters, and the <c>Link</c> header to the next page.</summary>
public static class Pagination
{
    /// <summary>
    /// Reads <c>n</c>. The spec has no error code for a bad page size, so anything but a non-negative
    /// integer is ignored (null: the default page size), and a huge one is capped by the caller.
    /// </summary>
    public static int? ReadCount(RegistryRequest request)
    {
        var text = request.Query("n");
        if (string.IsNullOrEmpty(text) || text.Length > 18)
        {
            return text?.Length > 18 && text.All(char.IsAsciiDigit) ? int.MaxValue : null;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, null, out var n) ? (int)Math.Min(n, int.MaxValue) : null;
    }

    /// <summary><c>&lt;path?n=N&amp;last=L&gt;; rel="next"</c>, with extra query already encoded in <paramref name="extraQuery"/>.</summary>
    public static KeyValuePair<string, string> NextLink(string path, int n, string last, string extraQuery = "") =>
        new("Link", $"<{path}?{extraQuery}n={n}&last={Uri.EscapeDataString(last)}>; rel=\"next\"");
}
