using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Http.Handlers;

namespace Wharf.Http.Replication;

/// <summary>
/// The read side of the registry API served in process, straight from this instance's stores, for a
/// <see cref="Wharf.Client.RegistryClient"/> that replication reads its source through: <c>GET</c> of manifests, blobs
/// (<c>HEAD</c> too) and referrers. No socket, no authentication and no public address are involved, and the
/// <see cref="Wharf.Client.ImageCopier"/> that copies Wharf's images is the one that copies any other registry's. A blob
/// streams from storage, never buffered. Given the <see cref="UploadService"/>, it takes writes too (a pull rule's copy
/// into this registry, see LocalRegistryHandler.Writes.cs). Anything else is a 404.
/// </summary>
public sealed partial class LocalRegistryHandler(ManifestService manifests, BlobService blobs, UploadService? uploads = null) : HttpMessageHandler
{
    /// <summary>The address the client is given; nothing listens there.</summary>
    public static readonly Uri BaseAddress = new("http://wharf.local/");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return NotFound();
        }

        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            var written = uploads is null ? NotFound() : await WriteAsync(uploads, request, path["/v2/".Length..], cancellationToken);
            written.RequestMessage = request;
            return written;
        }

        var rest = path["/v2/".Length..];
        foreach (var (kind, serve) in Routes)
        {
            var at = rest.LastIndexOf(kind, StringComparison.Ordinal);
            if (at > 0)
            {
                var head = request.Method == HttpMethod.Head;
                var response = await serve(this, rest[..at], Uri.UnescapeDataString(rest[(at + kind.Length)..]), head, cancellationToken);
                response.RequestMessage = request;
                if (head && response.Content is ByteArrayContent)
                {
                    var length = response.Content.Headers.ContentLength;
                    var type = response.Content.Headers.ContentType;
                    response.Content.Dispose();
                    response.Content = new ByteArrayContent([]) { Headers = { ContentLength = length, ContentType = type } };
                }

                return response;
            }
        }

        return NotFound();
    }

    private static readonly (string Kind, Func<LocalRegistryHandler, string, string, bool, CancellationToken, Task<HttpResponseMessage>> Serve)[] Routes =
    [
        ("/manifests/", (h, repository, reference, _, ct) => h.ManifestAsync(repository, reference, ct)),
        ("/blobs/", (h, repository, digest, head, ct) => h.BlobAsync(repository, digest, head, ct)),
        ("/referrers/", (h, repository, digest, _, ct) => h.ReferrersAsync(repository, digest, ct)),
    ];

    private async Task<HttpResponseMessage> ManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var found = await manifests.GetAsync(repository, reference, cancellationToken);
        if (!found.IsOk)
        {
            return NotFound();
        }

        var manifest = found.Value;
        var content = new ByteArrayContent(manifest.Payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.Add("Docker-Content-Digest", manifest.Digest.Value);
        return response;
    }

    /// <summary>The blob, streamed from storage; for a <c>HEAD</c> only its length (nothing opened).</summary>
    private async Task<HttpResponseMessage> BlobAsync(string repository, string reference, bool head, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(reference, out var digest))
        {
            return NotFound();
        }

        var info = await blobs.StatAsync(repository, digest, cancellationToken);
        if (!info.IsOk)
        {
            return NotFound();
        }

        HttpContent content;
        if (head)
        {
            content = new ByteArrayContent([]);
        }
        else
        {
            var opened = await blobs.OpenAsync(digest, 0, cancellationToken);
            if (!opened.IsOk)
            {
                return NotFound();
            }

            content = new StreamContent(opened.Value);
        }

        content.Headers.ContentLength = info.Value.Size;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.Add("Docker-Content-Digest", digest.Value);
        return response;
    }

    private async Task<HttpResponseMessage> ReferrersAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(reference, out var subject))
        {
            return NotFound();
        }

        var referrers = await manifests.ListReferrersAsync(repository, subject, null, cancellationToken);
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            ReferrersIndex.Write(json, referrers);
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciIndex);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static HttpResponseMessage NotFound() => new(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) };
}
