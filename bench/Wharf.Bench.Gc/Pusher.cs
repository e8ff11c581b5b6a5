using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Bench.Gc;

/// <summary>
/// Pushes small images as docker does: for the layer and the config, <c>POST</c> an upload, <c>PATCH</c> the bytes,
/// <c>PUT ?digest=</c>; then <c>PUT</c> the manifest by tag (7 requests). Each image's push time is one latency sample.
/// </summary>
public sealed class Pusher : IDisposable
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private readonly HttpClient _http;
    private int _image;

    public Pusher(Uri registry, int connections)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = connections })
        {
            BaseAddress = registry,
        };
    }

    /// <summary>Pushes <paramref name="count"/> new images with <paramref name="workers"/> concurrent clients; returns each push's milliseconds, sorted.</summary>
    public async Task<double[]> PushAsync(string repository, int count, int workers, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var image = Interlocked.Increment(ref _image);
                var started = Stopwatch.GetTimestamp();
                await PushImageAsync(repository, image, cancellationToken);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, cancellationToken)));
        Array.Sort(latencies);
        return latencies;
    }

    private async Task PushImageAsync(string repository, int image, CancellationToken cancellationToken)
    {
        var layer = new byte[4096];
        Random.Shared.NextBytes(layer);
        Encoding.ASCII.GetBytes($"gcbench-push/{image}/").CopyTo(layer, 0);
        var layerDigest = Sha256(layer);
        var config = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$$"""{"architecture":"amd64","os":"linux","config":{"Labels":{"image":"{{{image}}}"}},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}"""));
        var configDigest = Sha256(config);
        await PushBlobAsync(repository, layer, layerDigest, cancellationToken);
        await PushBlobAsync(repository, config, configDigest, cancellationToken);
        var manifest = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$$"""{"schemaVersion":2,"mediaType":"{{{OciManifest}}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{layerDigest}}}","size":{{{layer.Length}}}}]}"""));
        using var put = new ByteArrayContent(manifest);
        put.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        using var response = await _http.PutAsync(new Uri($"v2/{repository}/manifests/v{image}", UriKind.Relative), put, cancellationToken);
        Expect(response, HttpStatusCode.Created);
    }

    private async Task PushBlobAsync(string repository, byte[] blob, string digest, CancellationToken cancellationToken)
    {
        Uri location;
        using (var started = await _http.PostAsync(new Uri($"v2/{repository}/blobs/uploads/", UriKind.Relative), null, cancellationToken))
        {
            location = Location(Expect(started, HttpStatusCode.Accepted));
        }

        using (var chunk = new ByteArrayContent(blob))
        {
            chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = chunk };
            using var patched = await _http.SendAsync(patch, cancellationToken);
            location = Location(Expect(patched, HttpStatusCode.Accepted));
        }

        var separator = location.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var done = await _http.PutAsync(new Uri($"{location.OriginalString}{separator}digest={digest}", UriKind.RelativeOrAbsolute), null, cancellationToken);
        Expect(done, HttpStatusCode.Created);
    }

    private static HttpResponseMessage Expect(HttpResponseMessage response, HttpStatusCode status) =>
        response.StatusCode == status
            ? response
            : throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}, expected {(int)status}");

    private static Uri Location(HttpResponseMessage response) =>
        response.Headers.Location ?? throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: no Location");

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose() => _http.Dispose();
}
