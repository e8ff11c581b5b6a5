using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;

namespace Wharf.Http.Mirror;

/// <summary>
/// The upstreams over HTTP: one connection pool for all of them, one <see cref="HttpUpstreamRegistry"/> per upstream.
/// </summary>
public sealed class HttpUpstreamRegistries : IUpstreamRegistries, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HttpUpstreamRegistry> _registries = new(StringComparer.Ordinal);

    public IUpstreamRegistry For(UpstreamOptions upstream) => _registries.GetOrAdd(upstream.Prefix, _ => new HttpUpstreamRegistry(_http, upstream));

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// One upstream registry: anonymous, Basic, or the Bearer token challenge (with the configured credentials when there
/// are any), each failure turned into an <see cref="UpstreamException"/> that tells "not found" from "unavailable".
/// </summary>
public sealed class HttpUpstreamRegistry(HttpClient http, UpstreamOptions options) : IUpstreamRegistry
{
    private static readonly string[] ManifestTypes =
        [MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public async ValueTask<UpstreamManifest> GetManifestAsync(string name, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, name, $"manifests/{reference}", true, cancellationToken);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? MediaTypeOf(payload);
        return new UpstreamManifest(payload, mediaType);
    }

    public async ValueTask<Digest> HeadManifestAsync(string name, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, name, $"manifests/{reference}", true, cancellationToken);
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var digest))
        {
            return digest;
        }

        var manifest = await GetManifestAsync(name, reference, cancellationToken);
        return Digest.Compute(manifest.Payload);
    }

    public async ValueTask<UpstreamBlob> GetBlobAsync(string name, Digest digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, name, $"blobs/{digest.Value}", false, cancellationToken);
        if (response.Content.Headers.ContentLength is not { } length)
        {
            response.Dispose();
            throw new UpstreamException(UpstreamFailure.Unavailable, $"the upstream sent blob {digest} without a Content-Length");
        }

        return new UpstreamBlob(new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken)), length);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string name, string path, bool manifest, CancellationToken cancellationToken)
    {
        var uri = new Uri(options.Url!, $"/v2/{name}/{path}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var response = await SendOnceAsync(method, uri, name, manifest, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized && await AuthorizeAsync(response, name, timeout.Token))
            {
                response.Dispose();
                response = await SendOnceAsync(method, uri, name, manifest, timeout.Token);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            response.Dispose();
            throw response.StatusCode switch
            {
                HttpStatusCode.NotFound => new UpstreamException(UpstreamFailure.NotFound, $"{options.Url} has no {name}/{path}"),
                HttpStatusCode.TooManyRequests => new UpstreamException(UpstreamFailure.TooManyRequests, $"{options.Url} answered 429 Too Many Requests"),
                _ => new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}"),
            };
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} did not answer within {options.Timeout.TotalSeconds:0.#} s", error);
        }
        catch (HttpRequestException error)
        {
            throw new UpstreamException(UpstreamFailure.Unavailable, $"{options.Url} is unreachable: {error.Message}", error);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri uri, string name, bool manifest, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, uri);
        if (manifest)
        {
            foreach (var type in ManifestTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }
        }

        if (_tokens.TryGetValue(name, out var authorization))
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Answers a 401's challenge; false when there is nothing to answer it with.</summary>
    private async ValueTask<bool> AuthorizeAsync(HttpResponseMessage response, string name, CancellationToken cancellationToken)
    {
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is null)
        {
            return false;
        }

        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (Basic() is not { } basic)
            {
                return false;
            }

            _tokens[name] = "Basic " + basic;
            return true;
        }

        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || challenge.Parameter is null)
        {
            return false;
        }

        var parameters = ParseChallenge(challenge.Parameter);
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out _))
        {
            return false;
        }

        var query = new StringBuilder(realm).Append(realm.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        if (parameters.TryGetValue("service", out var service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        query.Append("scope=").Append(Uri.EscapeDataString($"repository:{name}:pull"));
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, query.ToString());
        if (Basic() is { } credentials)
        {
            tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
        if (!tokenResponse.IsSuccessStatusCode)
        {
            throw new UpstreamException(UpstreamFailure.Unavailable, $"the token service of {options.Url} answered {(int)tokenResponse.StatusCode}");
        }

        using var json = await JsonDocument.ParseAsync(await tokenResponse.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var token = json.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : json.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        _tokens[name] = "Bearer " + token;
        return true;
    }

    private string? Basic() => options.Username is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"));

    private static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            var equals = parameter.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = parameter[i..equals].Trim(' ', ',');
            string value;
            if (equals + 1 < parameter.Length && parameter[equals + 1] == '"')
            {
                var close = parameter.IndexOf('"', equals + 2);
                close = close < 0 ? parameter.Length : close;
                value = parameter[(equals + 2)..close];
                i = close + 1;
            }
            else
            {
                var comma = parameter.IndexOf(',', equals);
                comma = comma < 0 ? parameter.Length : comma;
                value = parameter[(equals + 1)..comma];
                i = comma;
            }

            result[key] = value;
            while (i < parameter.Length && parameter[i] is ',' or ' ')
            {
                i++;
            }
        }

        return result;
    }

    private static string MediaTypeOf(byte[] payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.TryGetProperty("mediaType", out var type) && type.GetString() is { } value ? value : MediaTypes.OciManifest;
        }
        catch (JsonException)
        {
            return MediaTypes.OciManifest;
        }
    }

    /// <summary>The body of a response that is disposed with it.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream body) : Core.Storage.ReadOnlyForwardingStream(body)
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
