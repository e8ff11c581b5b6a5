using System.Collections.Concurrent;
using Amazon.Runtime;

namespace Wharf.Tests.Storage.S3;

/// <summary>
/// Builds the HTTP client of an SDK client and counts what it sends: every request (method and path), and the bytes
/// named by server-side range copies (<c>x-amz-copy-source-range</c>; a whole-object copy is counted apart).
/// </summary>
internal sealed class S3RequestCounter : HttpClientFactory, IDisposable
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Lazy<HttpClient> _client;
    private long _copied;
    private int _wholeCopies;

    public S3RequestCounter() => _client = new(() => new HttpClient(new Counting(this) { InnerHandler = new SocketsHttpHandler() }));

    /// <summary>The requests sent since the last <see cref="Reset"/>, as "METHOD /bucket/key?query".</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public long CopiedBytes => Interlocked.Read(ref _copied);

    public int WholeCopies => Volatile.Read(ref _wholeCopies);

    public void Reset()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _copied, 0);
        Interlocked.Exchange(ref _wholeCopies, 0);
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client.Value;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private sealed class Counting(S3RequestCounter counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counter._requests.Enqueue($"{request.Method} {request.RequestUri?.PathAndQuery}");
            if (request.Headers.TryGetValues("x-amz-copy-source-range", out var ranges))
            {
                // bytes=first-last
                var range = ranges.First()["bytes=".Length..].Split('-');
                Interlocked.Add(ref counter._copied, long.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture) + 1);
            }
            else if (request.Headers.Contains("x-amz-copy-source"))
            {
                Interlocked.Increment(ref counter._wholeCopies);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
