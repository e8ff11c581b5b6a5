namespace Wharf.Http.Telemetry;

/// <summary>
/// The low-cardinality family of a request path, added as the <c>wharf.route_family</c> label of
/// <c>http.server.request.duration</c>: never a repository name or digest. Pure and allocation-free.
/// </summary>
public static class RouteFamily
{
    public const string Blob = "v2.blob";
    public const string Manifest = "v2.manifest";
    public const string Upload = "v2.upload";
    public const string Tags = "v2.tags";
    public const string Catalog = "v2.catalog";
    public const string Referrers = "v2.referrers";
    public const string Base = "v2.base";
    public const string Token = "auth.token";
    public const string Api = "api";
    public const string Ui = "ui";
    public const string Search = "search";
    public const string Metrics = "metrics";
    public const string Health = "health";

    /// <summary>The family of <paramref name="path"/>; <paramref name="metricsPath"/> is the configured scrape path.</summary>
    public static string Of(ReadOnlySpan<char> path, ReadOnlySpan<char> metricsPath)
    {
        if (path.StartsWith("/v2/") || path is "/v2")
        {
            return OfV2(path);
        }

        if (path.Equals(metricsPath, StringComparison.Ordinal))
        {
            return Metrics;
        }

        if (path.StartsWith("/auth/"))
        {
            return Token;
        }

        if (path.StartsWith("/api/"))
        {
            return Api;
        }

        if (path.StartsWith("/v1/search"))
        {
            return Search;
        }

        return path is "/healthz" or "/readyz" or "/livez" || path.StartsWith("/health") ? Health : Ui;
    }

    private static string OfV2(ReadOnlySpan<char> path)
    {
        if (path is "/v2" or "/v2/")
        {
            return Base;
        }

        if (path is "/v2/_catalog")
        {
            return Catalog;
        }

        if (path.EndsWith("/tags/list"))
        {
            return Tags;
        }

        // The last marker wins: a repository may be called team/blobs/app, but its manifests still end in /manifests/<ref>.
        var upload = path.LastIndexOf("/blobs/uploads");
        var manifest = path.LastIndexOf("/manifests/");
        var blob = path.LastIndexOf("/blobs/");
        var referrers = path.LastIndexOf("/referrers/");
        var best = Math.Max(Math.Max(upload, manifest), Math.Max(blob, referrers));
        if (best < 0)
        {
            return Base;
        }

        return best == upload ? Upload : best == manifest ? Manifest : best == referrers ? Referrers : Blob;
    }
}
