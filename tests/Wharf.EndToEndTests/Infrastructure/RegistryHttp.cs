using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>A manifest as the registry served it.</summary>
internal sealed record ServedManifest(byte[] Bytes, string ContentType, string? DockerContentDigest, string Transcript)
{
    /// <summary>The sha256 of the bytes actually served.</summary>
    public string Digest { get; } = OciLayoutDigests.Sha256(Bytes);
}

/// <summary>Everything reachable from one manifest in the registry, each blob checked against its digest.</summary>
internal sealed record ServedImage(ServedManifest Root, IReadOnlyDictionary<string, byte[]> Blobs)
{
    public IReadOnlySet<string> AllDigests => new HashSet<string>(Blobs.Keys, StringComparer.Ordinal);
}

/// <summary>Reads the registry over plain HTTP (Distribution API v2) to check what clients left there.</summary>
internal sealed class RegistryHttp(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _client = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<ServedManifest> GetManifestAsync(string repository, string reference)
    {
        using var response = await SendManifestRequestAsync(HttpMethod.Get, repository, reference);
        var body = await response.Content.ReadAsByteArrayAsync();
        var transcript = HttpTranscript.Describe(response, body);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RegistryResponseException($"GET manifest {repository}:{reference} did not return 200", transcript);
        }

        var contentDigest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        var manifest = new ServedManifest(body, response.Content.Headers.ContentType?.MediaType ?? string.Empty, contentDigest, transcript);
        Check(manifest.DockerContentDigest == manifest.Digest,
            $"Docker-Content-Digest of {repository}:{reference} is not the digest of the served bytes ({manifest.Digest})", transcript);
        Check(reference.Contains(':', StringComparison.Ordinal) is false || reference == manifest.Digest,
            $"{repository}@{reference} served bytes with another digest ({manifest.Digest})", transcript);
        Check(MediaTypeOf(body) is not { } declared || declared == manifest.ContentType,
            $"Content-Type of {repository}:{reference} differs from the manifest's mediaType", transcript);
        await CheckHeadAgreesAsync(repository, reference, manifest);
        return manifest;
    }

    /// <summary>PUT manifests/<paramref name="reference"/>; throws with the exchange unless 201.</summary>
    public async Task PutManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _client.PutAsync(new Uri($"v2/{repository}/manifests/{reference}", UriKind.Relative), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        Check(response.StatusCode == HttpStatusCode.Created, $"PUT manifest {repository}:{reference} did not return 201", HttpTranscript.Describe(response, body));
    }

    /// <summary>The HTTP status of GET manifests/<paramref name="reference"/>.</summary>
    public async Task<HttpStatusCode> ManifestStatusAsync(string repository, string reference)
    {
        using var response = await SendManifestRequestAsync(HttpMethod.Get, repository, reference);
        return response.StatusCode;
    }

    public async Task<byte[]> GetBlobAsync(string repository, string digest)
    {
        using var response = await _client.GetAsync(new Uri($"v2/{repository}/blobs/{digest}", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        var transcript = HttpTranscript.Describe(response, body);
        Check(response.StatusCode == HttpStatusCode.OK, $"GET blob {repository}@{digest} did not return 200", transcript);
        Check(OciLayoutDigests.Sha256(body) == digest, $"blob {repository}@{digest} served bytes with digest {OciLayoutDigests.Sha256(body)}", transcript);
        return body;
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository)
    {
        using var response = await _client.GetAsync(new Uri($"v2/{repository}/tags/list", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Check(response.StatusCode == HttpStatusCode.OK, $"GET tags of {repository} did not return 200", HttpTranscript.Describe(response, body));
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? [.. tags.EnumerateArray().Select(t => t.GetString() ?? string.Empty)]
            : [];
    }

    /// <summary>
    /// Fetches <paramref name="reference"/> and, recursively, every manifest and blob it refers to
    /// (child manifests by digest), checking every digest.
    /// </summary>
    public async Task<ServedImage> GetImageAsync(string repository, string reference)
    {
        var root = await GetManifestAsync(repository, reference);
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [root.Digest] = root.Bytes };
        await WalkAsync(repository, root.Bytes, blobs);
        return new ServedImage(root, blobs);
    }

    public void Dispose() => _client.Dispose();

    private async Task WalkAsync(string repository, byte[] manifest, Dictionary<string, byte[]> blobs)
    {
        foreach (var reference in OciLayoutReader.References(manifest))
        {
            if (blobs.ContainsKey(reference.Digest))
            {
                continue;
            }

            if (OciLayoutMediaTypes.AllManifests.Contains(reference.MediaType))
            {
                var child = await GetManifestAsync(repository, reference.Digest);
                blobs[reference.Digest] = child.Bytes;
                await WalkAsync(repository, child.Bytes, blobs);
            }
            else
            {
                var blob = await GetBlobAsync(repository, reference.Digest);
                Check(blob.Length == reference.Size, $"blob {reference.Digest} has {blob.Length} bytes, its descriptor says {reference.Size}", string.Empty);
                blobs[reference.Digest] = blob;
            }
        }
    }

    private async Task CheckHeadAgreesAsync(string repository, string reference, ServedManifest get)
    {
        using var response = await SendManifestRequestAsync(HttpMethod.Head, repository, reference);
        var transcript = HttpTranscript.Describe(response, []);
        Check(response.StatusCode == HttpStatusCode.OK, $"HEAD manifest {repository}:{reference} did not return 200", transcript);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        Check(digest == get.Digest, $"HEAD manifest {repository}:{reference} gives Docker-Content-Digest {digest}, GET served {get.Digest}", transcript);
        Check(response.Content.Headers.ContentLength == get.Bytes.Length,
            $"HEAD manifest {repository}:{reference} gives Content-Length {response.Content.Headers.ContentLength}, GET served {get.Bytes.Length} bytes", transcript);
        Check(response.Content.Headers.ContentType?.MediaType == get.ContentType,
            $"HEAD manifest {repository}:{reference} gives Content-Type {response.Content.Headers.ContentType?.MediaType}, GET gave {get.ContentType}", transcript);
    }

    private Task<HttpResponseMessage> SendManifestRequestAsync(HttpMethod method, string repository, string reference)
    {
        var request = new HttpRequestMessage(method, new Uri($"v2/{repository}/manifests/{reference}", UriKind.Relative));
        foreach (var mediaType in OciLayoutMediaTypes.AllManifests)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        return _client.SendAsync(request);
    }

    private static string? MediaTypeOf(byte[] manifest)
    {
        using var document = JsonDocument.Parse(manifest);
        return document.RootElement.TryGetProperty("mediaType", out var mediaType) ? mediaType.GetString() : null;
    }

    private static void Check(bool condition, string message, string transcript)
    {
        if (!condition)
        {
            throw new RegistryResponseException(message, transcript);
        }
    }
}

/// <summary>The registry answered something the specification does not allow; the message has the exchange.</summary>
internal sealed class RegistryResponseException(string message, string transcript)
    : Exception($"{message}\n--- HTTP exchange ---\n{transcript}");
