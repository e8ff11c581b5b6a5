using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Core.Protocol;

namespace Wharf.Client;

public sealed partial class RegistryClient
{
    /// <summary>Every manifest media type Wharf stores: what a client asks for when it takes whatever the tag is.</summary>
    public static readonly IReadOnlyList<string> AllManifestTypes =
        [MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest];

    /// <summary>The manifest, byte-exact, or null when the registry has none under that reference.</summary>
    /// <exception cref="InvalidDataException">Its bytes do not match the digest asked for or announced.</exception>
    public async Task<RegistryManifest?> GetManifestAsync(string repository, string reference, IEnumerable<string>? accept = null, CancellationToken cancellationToken = default)
    {
        var types = (accept ?? AllManifestTypes).ToArray();
        using var response = await SendAsync(() => Accepting(new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}"), types),
            PullScope(repository), idempotent: true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        var bytes = await ReadLimitedAsync(response.Content, _options.MaxManifestBytes, cancellationToken);
        var expected = Digest.TryParse(reference, out var asked) ? asked
            : Digest.TryParse(HeaderValue(response, "Docker-Content-Digest"), out var announced) ? announced : null;
        var digest = Digest.Compute(expected?.Algorithm ?? Digest.Sha256, bytes);
        if (expected is not null && expected != digest)
        {
            throw new InvalidDataException($"{repository}:{reference}: the manifest's bytes are {digest}, not {expected}");
        }

        return new RegistryManifest(MediaTypeOf(response) ?? MediaTypes.OciManifest, digest, bytes);
    }

    /// <summary>The manifest's media type, digest and size, or null when there is none.</summary>
    public async Task<ManifestInfo?> HeadManifestAsync(string repository, string reference, IEnumerable<string>? accept = null, CancellationToken cancellationToken = default)
    {
        var types = (accept ?? AllManifestTypes).ToArray();
        using var response = await SendAsync(() => Accepting(new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/manifests/{reference}"), types),
            PullScope(repository), idempotent: true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        var digest = Digest.TryParse(HeaderValue(response, "Docker-Content-Digest"), out var announced) ? announced
            : Digest.TryParse(reference, out var asked) ? asked
            : throw new InvalidDataException($"{repository}:{reference}: the registry sent no Docker-Content-Digest");
        return new ManifestInfo(MediaTypeOf(response) ?? MediaTypes.OciManifest, digest, response.Content.Headers.ContentLength ?? -1);
    }

    /// <summary>The blob's size, or null when the repository has no such blob.</summary>
    public async Task<long?> HeadBlobAsync(string repository, Digest digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"),
            PullScope(repository), idempotent: true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return response.Content.Headers.ContentLength ?? -1;
    }

    /// <summary>
    /// Starts downloading the blob (or the bytes from <paramref name="from"/> to <paramref name="to"/>, inclusive): the
    /// response's headers have arrived, its body is read as the caller reads <see cref="BlobDownload.Content"/>.
    /// Null when the repository has no such blob. Redirects to storage are followed, without the registry's credentials.
    /// </summary>
    public async Task<BlobDownload?> GetBlobAsync(string repository, Digest digest, long? from = null, long? to = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}");
            if (from is not null)
            {
                request.Headers.Range = new RangeHeaderValue(from, to);
            }

            return request;
        }, PullScope(repository), idempotent: true, cancellationToken);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                response.Dispose();
                return null;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            return new BlobDownload(response, await response.Content.ReadAsStreamAsync(cancellationToken));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The repository's tags, page by page as the registry hands them out (its <c>Link</c> header); none when it has no such repository.</summary>
    public async IAsyncEnumerable<string> ListTagsAsync(string repository, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = $"v2/{repository}/tags/list" + (pageSize is { } n ? "?n=" + n : "");
        while (next is not null)
        {
            var page = next;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page), PullScope(repository), idempotent: true, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                yield break;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            using var body = JsonDocument.Parse(await ReadLimitedAsync(response.Content, _options.MaxManifestBytes, cancellationToken));
            if (body.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
            {
                foreach (var tag in tags.EnumerateArray())
                {
                    if (tag.GetString() is { } name)
                    {
                        yield return name;
                    }
                }
            }

            next = NextLink(response);
        }
    }

    /// <summary>
    /// The registry's repositories from its catalog (<c>/v2/_catalog</c>), page by page as it hands them out. A registry
    /// that does not offer its catalog (most public ones) answers with an error, thrown as <see cref="RegistryClientException"/>.
    /// </summary>
    public async IAsyncEnumerable<string> ListRepositoriesAsync(int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = "v2/_catalog" + (pageSize is { } n ? "?n=" + n : "");
        while (next is not null)
        {
            var page = next;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page), "registry:catalog:*", idempotent: true, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            using var body = JsonDocument.Parse(await ReadLimitedAsync(response.Content, _options.MaxManifestBytes, cancellationToken));
            if (body.RootElement.TryGetProperty("repositories", out var names) && names.ValueKind == JsonValueKind.Array)
            {
                foreach (var name in names.EnumerateArray())
                {
                    if (name.GetString() is { } repository)
                    {
                        yield return repository;
                    }
                }
            }

            next = NextLink(response);
        }
    }

    /// <summary>
    /// The manifests that refer to <paramref name="digest"/> (signatures, SBOMs), as an OCI image index. From the
    /// referrers API; from a registry without it (a 404), from the tag schema's <c>sha256-…</c> tag; an empty index when neither has any.
    /// </summary>
    public async Task<RegistryManifest> GetReferrersAsync(string repository, Digest digest, string? artifactType = null, CancellationToken cancellationToken = default)
    {
        var path = $"v2/{repository}/referrers/{digest}" + (artifactType is null ? "" : "?" + Query(("artifactType", artifactType)));
        using (var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), PullScope(repository), idempotent: true, cancellationToken))
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(response, cancellationToken);
                var bytes = await ReadLimitedAsync(response.Content, _options.MaxManifestBytes, cancellationToken);
                return new RegistryManifest(MediaTypes.OciIndex, Digest.Compute(bytes), bytes);
            }
        }

        var fallback = await GetManifestAsync(repository, $"{digest.Algorithm}-{digest.Encoded}", [MediaTypes.OciIndex], cancellationToken);
        var index = fallback is null ? new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray() }
            : JsonNode.Parse(fallback.Bytes.Span)!.AsObject();
        if (artifactType is not null && index["manifests"] is JsonArray manifests)
        {
            foreach (var other in manifests.Where(m => (string?)m?["artifactType"] != artifactType).ToList())
            {
                manifests.Remove(other);
            }
        }
        else if (fallback is not null)
        {
            return fallback with { MediaType = MediaTypes.OciIndex };
        }

        var built = JsonSerializer.SerializeToUtf8Bytes(index);
        return new RegistryManifest(MediaTypes.OciIndex, Digest.Compute(built), built);
    }

    private static HttpRequestMessage Accepting(HttpRequestMessage request, string[] types)
    {
        foreach (var type in types)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return request;
    }

    private static string? MediaTypeOf(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>The <c>rel="next"</c> target of a <c>Link</c> header, relative to the registry's root.</summary>
    private static string? NextLink(HttpResponseMessage response)
    {
        if (HeaderValue(response, "Link") is not { } link || !link.Contains("rel=\"next\"", StringComparison.Ordinal))
        {
            return null;
        }

        var start = link.IndexOf('<', StringComparison.Ordinal);
        var end = link.IndexOf('>', start + 1);
        if (start < 0 || end < 0)
        {
            return null;
        }

        var target = link[(start + 1)..end];
        return target.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? target : target.TrimStart('/');
    }
}
