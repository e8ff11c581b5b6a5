using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Wharf.Client;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Client;

/// <summary>
/// <see cref="RegistryClient"/>'s transport behaviour against a scripted registry: the token challenge and its cache,
/// retries with backoff on a fake clock, and the failures callers tell apart.
/// </summary>
public sealed class RegistryClientTransportTests
{
    private static readonly Uri Registry = new("http://registry.test/");
    private static readonly Digest Blob = Digest.Compute("blob"u8);
    private readonly FakeTimeProvider _time = new();
    private readonly DelayClock _delays;

    public RegistryClientTransportTests() => _delays = new DelayClock(_time);

    [Fact]
    public async Task A_Bearer_challenge_is_answered_with_one_token_request_per_scope_until_the_token_expires()
    {
        var registry = new ScriptedRegistry(request =>
        {
            if (request.RequestUri!.Host == "auth.test")
            {
                Assert.Equal("Basic", request.Headers.Authorization?.Scheme);
                Assert.Contains("scope=repository%3Ateam%2Fapp%3Apull", request.RequestUri.Query, StringComparison.Ordinal);
                return Json("""{"token":"t1","expires_in":300}""");
            }

            if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: "t1" })
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"http://auth.test/token\",service=\"registry.test\""));
                return challenge;
            }

            return Sized(HttpStatusCode.OK, 4);
        });
        using var client = Client(registry, username: "alice");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(4, await client.HeadBlobAsync("team/app", Blob));
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(4, await client.HeadBlobAsync("team/app", Blob));

        Assert.Equal(2, registry.Requests.Count(r => r.Host == "auth.test"));
        Assert.Equal(6, registry.Requests.Count(r => r.Host == "registry.test")); // two challenged, four with the token
    }

    [Fact]
    public async Task A_failing_registry_is_retried_after_growing_delays_on_the_clock()
    {
        var failures = 2;
        var registry = new ScriptedRegistry(_ => failures-- > 0 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : Sized(HttpStatusCode.OK, 7));
        using var client = Client(registry);

        var head = client.HeadBlobAsync("team/app", Blob);
        var first = await _delays.NextAsync();
        Assert.False(head.IsCompleted);
        _time.Advance(first);
        var second = await _delays.NextAsync();
        Assert.False(head.IsCompleted);
        _time.Advance(second);

        Assert.Equal(7, await head);
        Assert.InRange(first, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)); // RetryDelay, with jitter
        Assert.InRange(second, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)); // twice that
        Assert.Equal(3, registry.Requests.Count);
    }

    [Fact]
    public async Task After_its_attempts_a_throttled_registry_is_unavailable_with_its_Retry_After()
    {
        var registry = new ScriptedRegistry(_ =>
        {
            var slow = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            slow.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return slow;
        });
        using var client = Client(registry, maxAttempts: 2);

        var head = client.HeadBlobAsync("team/app", Blob);
        Assert.Equal(TimeSpan.FromSeconds(1), await _delays.NextAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        var unavailable = await Assert.ThrowsAsync<RegistryUnavailableException>(() => head);

        Assert.Equal(UnavailableReason.TooManyRequests, unavailable.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), unavailable.RetryAfter);
        Assert.Equal(2, registry.Requests.Count);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_longest_retry_delay_ends_the_attempts_at_once()
    {
        var registry = new ScriptedRegistry(_ =>
        {
            var slow = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            slow.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(10));
            return slow;
        });
        using var client = Client(registry);

        var unavailable = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.HeadBlobAsync("team/app", Blob));

        Assert.Equal(UnavailableReason.TooManyRequests, unavailable.Reason);
        Assert.Equal(TimeSpan.FromMinutes(10), unavailable.RetryAfter);
        Assert.Single(registry.Requests);
    }

    [Fact]
    public async Task A_registry_nobody_listens_on_is_unreachable_not_refusing()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RegistryClient(new RegistryClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), MaxAttempts = 1 });

        var unavailable = await Assert.ThrowsAsync<RegistryUnavailableException>(() => client.GetManifestAsync("team/app", "v1"));

        Assert.Equal(UnavailableReason.Unreachable, unavailable.Reason);
    }

    [Fact]
    public async Task A_refusal_carries_the_registrys_errors_and_is_not_retried()
    {
        var registry = new ScriptedRegistry(_ => Json("""{"errors":[{"code":"DENIED","message":"no pushing here"}]}""", HttpStatusCode.Forbidden));
        using var client = Client(registry);

        var refused = await Assert.ThrowsAsync<RegistryClientException>(() => client.GetManifestAsync("team/app", "v1"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal([new RegistryErrorDetail("DENIED", "no pushing here")], refused.Errors);
        Assert.Single(registry.Requests);
    }

    [Fact]
    public async Task A_manifest_whose_bytes_do_not_match_its_digest_is_refused()
    {
        var registry = new ScriptedRegistry(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{\"schemaVersion\":2}"u8.ToArray()) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
            return response;
        });
        using var client = Client(registry);

        await Assert.ThrowsAsync<InvalidDataException>(() => client.GetManifestAsync("team/app", Digest.Compute("other"u8).Value));
    }

    private RegistryClient Client(ScriptedRegistry registry, string? username = null, int maxAttempts = 3) =>
        new(new RegistryClientOptions { BaseAddress = Registry, Username = username, Password = username is null ? null : "secret", MaxAttempts = maxAttempts }, registry, _delays);

    private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Sized(HttpStatusCode status, long length)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        response.Content.Headers.ContentLength = length;
        return response;
    }

    /// <summary>The fake clock, telling the test each delay the client starts (a timer's due time) as it starts it.</summary>
    private sealed class DelayClock(FakeTimeProvider clock) : TimeProvider
    {
        private readonly Channel<TimeSpan> _delays = Channel.CreateUnbounded<TimeSpan>();

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = clock.CreateTimer(callback, state, dueTime, period);
            _delays.Writer.TryWrite(dueTime);
            return timer;
        }

        /// <summary>The next delay the client starts.</summary>
        public async Task<TimeSpan> NextAsync() => await _delays.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A registry that answers from a script and records what it was asked.</summary>
    private sealed class ScriptedRegistry(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly Lock _lock = new();
        private readonly List<Uri> _requests = [];

        public IReadOnlyList<Uri> Requests
        {
            get
            {
                lock (_lock)
                {
                    return [.. _requests];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = answer(request);
            response.RequestMessage = request;
            lock (_lock)
            {
                _requests.Add(request.RequestUri!);
            }

            return Task.FromResult(response);
        }
    }
}
