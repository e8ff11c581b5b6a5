using System.Net;
using System.Net.Sockets;
using System.Text;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>An upstream that answers every request with 429: Wharf passes the rate limit and its Retry-After on, and never answers 500.</summary>
public sealed class RateLimitedUpstreamTests
{
    [Fact]
    public async Task An_upstream_answering_429_gives_TOOMANYREQUESTS_naming_it_with_the_upstreams_Retry_After()
    {
        await using var upstream = new TooManyRequestsServer();
        await using var wharf = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Upstreams:0:Prefix"] = "busy",
            ["Mirror:Upstreams:0:Url"] = upstream.Url.ToString(),
        });

        using var manifest = await wharf.Client.GetAsync(new Uri("/v2/busy/team/app/manifests/1", UriKind.Relative));
        var body = await manifest.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, manifest.StatusCode);
        Assert.Contains("TOOMANYREQUESTS", body, StringComparison.Ordinal);
        Assert.Contains("upstream busy is rate limiting", body, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(120), manifest.Headers.RetryAfter?.Delta);

        using var blob = await wharf.Client.GetAsync(new Uri($"/v2/busy/team/app/blobs/sha256:{new string('a', 64)}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, blob.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), blob.Headers.RetryAfter?.Delta);

        // Asked to wait two minutes, the cache does not retry sooner: one upstream request per pull.
        Assert.Equal(2, upstream.Requests);
    }

    /// <summary>A loopback HTTP/1.1 server whose every answer is <c>429 Too Many Requests</c> with <c>Retry-After: 120</c>.</summary>
    private sealed class TooManyRequestsServer : IAsyncDisposable
    {
        private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public TooManyRequestsServer()
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _loop = AcceptAsync();
        }

        public Uri Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var seen = new StringBuilder();
                    while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync(Answer, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
