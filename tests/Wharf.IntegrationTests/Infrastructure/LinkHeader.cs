using System.Web;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Parses an RFC 5988 <c>Link: &lt;url&gt;; rel="next"</c> header.</summary>
public static class LinkHeader
{
    /// <summary>The next-page URL (relative), or null when the response has no Link header.</summary>
    public static string? Next(HttpResponseMessage response)
    {
        var value = Expect.OptionalHeader(response, "Link");
        if (value is null)
        {
            return null;
        }

        var open = value.IndexOf('<', StringComparison.Ordinal);
        var close = value.IndexOf('>', StringComparison.Ordinal);
        Assert.True(open == 0 && close > open, $"malformed Link header: {value}");
        Assert.Matches("rel=\"?next\"?", value[(close + 1)..]);
        return value[(open + 1)..close];
    }

    public static (string Path, string? N, string? Last) Parse(string url)
    {
        var uri = new Uri(new Uri("http://registry/"), url);
        var query = HttpUtility.ParseQueryString(uri.Query);
        return (uri.AbsolutePath, query["n"], query["last"]);
    }
}
