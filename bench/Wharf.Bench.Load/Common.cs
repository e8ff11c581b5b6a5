using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Wharf.Bench.Load;

/// <summary>A benchmark step went wrong (unexpected status, wrong content): the run is not valid.</summary>
public sealed class BenchException(string message) : Exception(message);

/// <summary>key=value command-line options.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"expected key=value, got '{arg}'");
            }

            options._values[arg[..eq]] = arg[(eq + 1)..];
        }

        return options;
    }

    public string Get(string key) => _values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"missing option {key}=");

    public string Get(string key, string fallback) => _values.TryGetValue(key, out var v) ? v : fallback;

    public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public long Long(string key, long fallback) => _values.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>An HTTP client for one registry, with the helpers every workload needs.</summary>
public sealed class RegistryClient : IDisposable
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    private readonly HttpClient _http;

    public RegistryClient(string baseUrl, int connections = 64)
    {
        BaseUri = new Uri(baseUrl.TrimEnd('/') + "/");
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler) { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(15) };
    }

    public Uri BaseUri { get; }

    public HttpClient Http => _http;

    public void Dispose() => _http.Dispose();

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpStatusCode expected, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var response = await _http.SendAsync(request, completion);
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            throw new BenchException($"{request.Method} {request.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {Truncate(body)}");
        }

        return response;
    }

    /// <summary>The upload URL in a 202/201 Location, absolute.</summary>
    public Uri Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new BenchException($"no Location in {(int)response.StatusCode} response");
        return location.IsAbsoluteUri ? location : new Uri(BaseUri, location);
    }

    public static Uri WithQuery(Uri uri, string query) => new(uri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + query);

    /// <summary>POST then one PUT with the whole body: the monolithic upload every registry supports.</summary>
    public async Task PushBlobAsync(string repository, string digest, HttpContent body)
    {
        using var start = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), HttpStatusCode.Accepted);
        var put = new HttpRequestMessage(HttpMethod.Put, WithQuery(Location(start), "digest=" + digest)) { Content = body };
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await SendAsync(put, HttpStatusCode.Created);
    }

    /// <summary>POST, one PATCH with the whole body, then a PUT without one: how docker, podman and skopeo push a layer.</summary>
    public async Task PushBlobPatchedAsync(string repository, string digest, HttpContent body)
    {
        using var start = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), HttpStatusCode.Accepted);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var patched = await SendAsync(new HttpRequestMessage(HttpMethod.Patch, Location(start)) { Content = body }, HttpStatusCode.Accepted);
        using var done = await SendAsync(new HttpRequestMessage(HttpMethod.Put, WithQuery(Location(patched), "digest=" + digest)), HttpStatusCode.Created);
    }

    public async Task<bool> BlobExistsAsync(string repository, string digest)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"));
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw new BenchException($"HEAD blob: unexpected {(int)response.StatusCode}"),
        };
    }

    public async Task MountAsync(string repository, string digest, string from)
    {
        using var response = await SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/?mount={digest}&from={from}"), HttpStatusCode.Created);
    }

    public async Task PutManifestAsync(string repository, string reference, byte[] manifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}") { Content = content }, HttpStatusCode.Created);
    }

    private static string Truncate(string s) => s.Length <= 300 ? s : s[..300];
}

public static class Util
{
    public static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Round(double value, int digits = 3) => Math.Round(value, digits);

    public static string Json(params (string Key, JsonNode? Value)[] fields)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in fields)
        {
            obj[key] = value;
        }

        return obj.ToJsonString();
    }

    /// <summary>The next-page URL of a Link header (RFC 5988, rel="next"), or null.</summary>
    public static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link.Contains("rel=\"next\"", StringComparison.Ordinal))
            {
                return link[(open + 1)..close].TrimStart('/');
            }
        }

        return null;
    }
}
