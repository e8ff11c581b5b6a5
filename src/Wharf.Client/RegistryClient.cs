using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Wharf.Client;

/// <summary>
/// A client of one OCI / Docker registry: the Bearer token challenge (and Basic), manifests of every media type, blobs
/// streamed both ways, uploads monolithic and chunked, mounts, tags and referrers. Idempotent requests are retried with
/// jittered exponential backoff on connection failures, 429 and 502–504; what still fails is a
/// <see cref="RegistryUnavailableException"/>, and a refusal is a <see cref="RegistryClientException"/>.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryClientOptions _options;
    private readonly TimeProvider _time;
    private readonly TokenCache _tokens;
    private AuthChallenge? _challenge;

    /// <param name="handler">The transport; the client disposes it. None means a pooled <see cref="SocketsHttpHandler"/>.</param>
    public RegistryClient(RegistryClientOptions options, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = options.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // blobs stream for as long as they take; callers cancel
        };
        _tokens = new TokenCache(_time);
    }

    public Uri BaseAddress => _options.BaseAddress;

    public void Dispose() => _http.Dispose();

    private static string PullScope(string repository) => $"repository:{repository}:pull";

    private static string PushScope(string repository) => $"repository:{repository}:pull,push";

    /// <summary>
    /// Sends a request built by <paramref name="build"/> (called again for each attempt), answering an auth challenge
    /// once. Only <paramref name="idempotent"/> requests are retried after a transient failure.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, string scope, bool idempotent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var retry = idempotent && attempt < Math.Max(1, _options.MaxAttempts);
            HttpResponseMessage response;
            try
            {
                response = await SendAuthorizedAsync(build, scope, replayable: true, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                if (retry)
                {
                    await DelayAsync(attempt, null, cancellationToken);
                    continue;
                }

                throw new RegistryUnavailableException(UnavailableReason.Unreachable, $"{BaseAddress} is unreachable: {e.Message}", inner: e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (retry)
                {
                    await DelayAsync(attempt, null, cancellationToken);
                    continue;
                }

                throw new RegistryUnavailableException(UnavailableReason.Timeout, $"{BaseAddress} did not answer in time", inner: e);
            }

            if (Transient(response.StatusCode) is not { } reason)
            {
                return response;
            }

            var retryAfter = RetryAfter(response);
            response.Dispose();
            // A Retry-After beyond the longest wait allowed ends the retries now: an earlier attempt would be refused again.
            if (!retry || retryAfter > _options.MaxRetryDelay)
            {
                throw new RegistryUnavailableException(reason, $"{BaseAddress} answered {(int)response.StatusCode} ({reason})", retryAfter);
            }

            await DelayAsync(attempt, retryAfter, cancellationToken);
        }
    }

    /// <summary>
    /// Sends with the credentials the registry last asked for; on a 401 with a challenge, gets them (a token for
    /// <paramref name="scope"/>, or Basic) and sends once more. A request whose body cannot be sent twice gets its
    /// credentials first (<see cref="AuthorizeAsync"/>) and is not resent.
    /// </summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(Func<HttpRequestMessage> build, string scope, bool replayable, CancellationToken cancellationToken)
    {
        var request = build();
        Authorize(request, scope);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !replayable || AuthChallenge.From(response.Headers) is not { } challenge)
        {
            return response;
        }

        var hadCredentials = request.Headers.Authorization is not null;
        _challenge = challenge;
        if (!await ObtainAsync(challenge, scope, cancellationToken) || (hadCredentials && challenge.IsBasic))
        {
            return response; // nothing more to offer: the caller reads the 401
        }

        response.Dispose();
        var again = build();
        Authorize(again, scope);
        return await _http.SendAsync(again, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Learns the registry's challenge (from <c>GET /v2/</c>) and gets credentials for <paramref name="scope"/> before a body is streamed.</summary>
    private async Task AuthorizeAsync(string scope, CancellationToken cancellationToken)
    {
        if (_challenge is null)
        {
            using var ping = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "v2/"), scope, idempotent: true, cancellationToken);
            if (ping.StatusCode == HttpStatusCode.Unauthorized || _challenge is null)
            {
                return; // anonymous registry, or credentials refused: the request itself will say so
            }
        }

        if (_challenge.IsBearer && !_tokens.Has(scope))
        {
            await ObtainAsync(_challenge, scope, cancellationToken);
        }
    }

    private void Authorize(HttpRequestMessage request, string scope)
    {
        if (_challenge is { IsBearer: true } && _tokens.Get(scope) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_challenge is { IsBasic: true } && BasicCredentials() is { } basic)
        {
            request.Headers.Authorization = basic;
        }
    }

    /// <summary>Gets what the challenge asks for: whether there is something to send.</summary>
    private async Task<bool> ObtainAsync(AuthChallenge challenge, string scope, CancellationToken cancellationToken)
    {
        if (challenge.IsBasic)
        {
            return BasicCredentials() is not null;
        }

        if (challenge.Realm is null || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm))
        {
            return false;
        }

        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] + "&" : "");
        if (challenge.Service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(challenge.Service)).Append('&');
        }

        query.Append("scope=").Append(Uri.EscapeDataString(scope));
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
        request.Headers.Authorization = BasicCredentials();
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var root = body.RootElement;
        var token = root.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } a ? a
            : root.TryGetProperty("access_token", out var at) ? at.GetString() : null;
        if (token is null)
        {
            return false;
        }

        var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 60;
        _tokens.Put(scope, token, TimeSpan.FromSeconds(lifetime));
        return true;
    }

    private AuthenticationHeaderValue? BasicCredentials() =>
        _options.Username is null ? null
        : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));

    private static UnavailableReason? Transient(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => UnavailableReason.TooManyRequests,
        HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => UnavailableReason.ServerError,
        _ => null,
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Waits before attempt <paramref name="attempt"/> + 1: the registry's Retry-After, or a jittered doubling delay.</summary>
    private Task DelayAsync(int attempt, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var backoff = _options.RetryDelay * Math.Pow(2, attempt - 1);
        var delay = retryAfter ?? TimeSpan.FromTicks((long)(Math.Min(backoff.Ticks, _options.MaxRetryDelay.Ticks) * (0.5 + Random.Shared.NextDouble() / 2)));
        return Task.Delay(delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay, _time, cancellationToken);
    }

    /// <summary>Throws the registry's refusal, with its <c>errors</c> array, unless the response succeeded.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var errors = new List<RegistryErrorDetail>();
        try
        {
            var text = await ReadLimitedAsync(response.Content, 64 * 1024, cancellationToken);
            using var body = JsonDocument.Parse(text);
            if (body.RootElement.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in list.EnumerateArray())
                {
                    var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                    var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    errors.Add(new RegistryErrorDetail(code ?? "UNKNOWN", message));
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or HttpRequestException)
        {
            // Not the spec's envelope (a proxy's page, a 404 of a route the registry does not have): the status says it.
        }

        var request = response.RequestMessage;
        var first = errors.Count > 0 ? $": {errors[0].Code} {errors[0].Message}" : "";
        throw new RegistryClientException(response.StatusCode, errors,
            $"{request?.Method} {request?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}{first}");
    }

    /// <summary>Reads a small body whole, refusing one longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            throw new InvalidDataException($"the body is {content.Headers.ContentLength} bytes, more than the {limit} accepted");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException($"the body is more than the {limit} bytes accepted");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Query(params (string Key, string? Value)[] pairs) =>
        string.Join('&', pairs.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    private static long? Int(string? text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
