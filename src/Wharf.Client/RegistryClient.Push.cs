using System.Net;
using System.Net.Http.Headers;
using Wharf.Core.Protocol;

namespace Wharf.Client;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Makes the blob exist in <paramref name="repository"/>: nothing when it is there already; else
    /// <paramref name="content"/> (exactly <paramref name="size"/> bytes, read once, never buffered) goes up in one PUT,
    /// or in PATCH chunks of <see cref="RegistryClientOptions.ChunkSize"/> when it is larger. The registry checks the digest.
    /// </summary>
    public async Task<BlobPush> PushBlobAsync(string repository, Digest digest, long size, Stream content, CancellationToken cancellationToken = default)
    {
        if (await HeadBlobAsync(repository, digest, cancellationToken) is not null)
        {
            return BlobPush.AlreadyPresent;
        }

        var scope = PushScope(repository);
        var location = await StartUploadAsync(repository, scope, null, cancellationToken)
            ?? throw new InvalidDataException($"{repository}: the registry mounted a blob it was not asked to mount");
        if (size > _options.ChunkSize)
        {
            for (long offset = 0; offset < size; offset += _options.ChunkSize)
            {
                var length = Math.Min(_options.ChunkSize, size - offset);
                location = await SendChunkAsync(location, scope, content, offset, length, cancellationToken);
            }
        }

        var commit = location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Query(("digest", digest.Value));
        using var put = new HttpRequestMessage(HttpMethod.Put, commit);
        if (size <= _options.ChunkSize)
        {
            put.Content = Body(content, size);
        }

        using var response = await SendBodyAsync(put, scope, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return BlobPush.Uploaded;
    }

    /// <summary>Asks the registry to link the blob from <paramref name="from"/> (or from any repository the caller can read, when null); whether it did.</summary>
    public async Task<bool> MountBlobAsync(string repository, Digest digest, string? from, CancellationToken cancellationToken = default)
    {
        var scope = from is null ? PushScope(repository) : $"{PushScope(repository)} {PullScope(from)}";
        var location = await StartUploadAsync(repository, scope, (digest, from), cancellationToken);
        if (location is null)
        {
            return true;
        }

        // Not mounted: the registry opened an upload instead, which is not wanted.
        using var cancel = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), scope, idempotent: true, cancellationToken);
        return false;
    }

    /// <summary>Stores the manifest's exact bytes under <paramref name="reference"/> (a tag or its digest); its digest.</summary>
    public async Task<Digest> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}") { Content = content };
        }, PushScope(repository), idempotent: true, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return Digest.TryParse(HeaderValue(response, "Docker-Content-Digest"), out var digest) ? digest : Digest.Compute(bytes.Span);
    }

    /// <summary>Deletes the manifest; false when there was none.</summary>
    public async Task<bool> DeleteManifestAsync(string repository, Digest digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"v2/{repository}/manifests/{digest}"),
            $"repository:{repository}:delete", idempotent: true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Opens an upload (or mounts, given a digest): the session's location, or null when the blob was mounted (201).</summary>
    private async Task<string?> StartUploadAsync(string repository, string scope, (Digest Digest, string? From)? mount, CancellationToken cancellationToken)
    {
        var path = $"v2/{repository}/blobs/uploads/" + (mount is { } m ? "?" + Query(("mount", m.Digest.Value), ("from", m.From)) : "");
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent([]) }, scope,
            idempotent: false, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        if (mount is not null && response.StatusCode == HttpStatusCode.Created)
        {
            return null;
        }

        return Location(response) ?? throw new InvalidDataException($"{repository}: the registry opened an upload without a Location");
    }

    private async Task<string> SendChunkAsync(string location, string scope, Stream content, long offset, long length, CancellationToken cancellationToken)
    {
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = Body(content, length) };
        patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        using var response = await SendBodyAsync(patch, scope, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return Location(response) ?? location;
    }

    /// <summary>Sends a request whose body is read once: with the credentials got beforehand, never resent.</summary>
    private async Task<HttpResponseMessage> SendBodyAsync(HttpRequestMessage request, string scope, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(scope, cancellationToken);
        try
        {
            return await SendAuthorizedAsync(() => request, scope, replayable: false, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryUnavailableException(UnavailableReason.Unreachable, $"{BaseAddress} is unreachable: {e.Message}", inner: e);
        }
    }

    /// <summary>The next <paramref name="length"/> bytes of <paramref name="content"/> as a request body, streamed.</summary>
    private static StreamContent Body(Stream content, long length)
    {
        var body = new StreamContent(new ChunkStream(content, length));
        body.Headers.ContentLength = length;
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    /// <summary>The response's <c>Location</c>, as a path relative to the registry's root or an absolute URL.</summary>
    private static string? Location(HttpResponseMessage response) => response.Headers.Location switch
    {
        null => null,
        { IsAbsoluteUri: true } absolute => absolute.ToString(),
        var relative => relative.OriginalString.TrimStart('/'),
    };
}
