using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// Pushes small images (a config, one random layer, a tagged manifest) over plain HTTP the way a patient client does
/// while an engine comes and goes: a 503 must carry <c>Retry-After</c> and the spec envelope, and the step is retried;
/// any other failure (a 500 above all) fails the test. An image counts as acknowledged once its manifest PUT answered 201.
/// </summary>
internal sealed class RetryingPusher(HttpClient client, string repository)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private int _unavailable;

    /// <summary>How many 503 answers the pushes got (and retried).</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Pushes image <paramref name="tag"/>, retrying each step on 503; returns it once acknowledged.</summary>
    public async Task<RawImage> PushAsync(string tag, int layerSize = 64 * 1024)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid()}}"}""");
        var layer = RandomNumberGenerator.GetBytes(layerSize);
        var configDigest = RawPush.Sha256(config);
        var layerDigest = RawPush.Sha256(layer);
        await SendUntilAcceptedAsync(() => Post(config), HttpStatusCode.Created);
        await SendUntilAcceptedAsync(() => Post(layer), HttpStatusCode.Created);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """);
        await SendUntilAcceptedAsync(() => PutManifest(manifest, tag), HttpStatusCode.Created);
        return new RawImage(tag, RawPush.Sha256(manifest), manifest, layerDigest, new Dictionary<string, byte[]> { [configDigest] = config, [layerDigest] = layer });
    }

    /// <summary>Pulls <paramref name="image"/> (retrying on 503) and asserts every byte is the one pushed.</summary>
    public async Task AssertPullsAsync(RawImage image)
    {
        Assert.Equal(image.Manifest, await GetUntilServedAsync($"/v2/{repository}/manifests/{image.Tag}"));
        Assert.Equal(image.Manifest, await GetUntilServedAsync($"/v2/{repository}/manifests/{image.Digest}"));
        foreach (var (digest, bytes) in image.Blobs)
        {
            Assert.Equal(bytes, await GetUntilServedAsync($"/v2/{repository}/blobs/{digest}"));
        }
    }

    /// <summary>Asserts that <paramref name="response"/> is the outage answer: 503, <c>Retry-After</c> in seconds, UNAVAILABLE.</summary>
    public static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Contains("\"code\":\"UNAVAILABLE\"", body, StringComparison.Ordinal);
    }

    private HttpRequestMessage Post(byte[] blob) => new(HttpMethod.Post, new Uri($"/v2/{repository}/blobs/uploads/?digest={RawPush.Sha256(blob)}", UriKind.Relative))
    {
        Content = new ByteArrayContent(blob) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
    };

    private HttpRequestMessage PutManifest(byte[] manifest, string tag) => new(HttpMethod.Put, new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative))
    {
        Content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json") } },
    };

    private async Task SendUntilAcceptedAsync(Func<HttpRequestMessage> request, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (true)
        {
            using var message = request();
            using var response = await client.SendAsync(message);
            if (response.StatusCode == expected)
            {
                return;
            }

            await RetryOrFailAsync(response, $"{message.Method} {message.RequestUri}", deadline);
        }
    }

    private async Task<byte[]> GetUntilServedAsync(string url)
    {
        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (true)
        {
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadAsByteArrayAsync();
            }

            await RetryOrFailAsync(response, "GET " + url, deadline);
        }
    }

    private async Task RetryOrFailAsync(HttpResponseMessage response, string what, DateTime deadline)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            Assert.Fail($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await AssertUnavailableAsync(response);
        Interlocked.Increment(ref _unavailable);
        Assert.True(DateTime.UtcNow < deadline, $"{what}: still 503 after {GiveUpAfter}");
        await Task.Delay(RetryDelay);
    }
}
