using System.Net;
using System.Net.Http.Headers;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>A manifest pushed by <see cref="Registry.PushImageAsync"/>.</summary>
public sealed record PushedImage(string Repository, Descriptor Config, IReadOnlyList<Descriptor> Layers, byte[] Manifest, string Digest)
{
    public Descriptor Descriptor => new(MediaTypes.OciManifest, Digest, Manifest.Length);
}

/// <summary>Thin HTTP helpers over a Wharf test server: requests, full pushes, upload sessions.</summary>
public sealed class Registry(WharfTestServer server)
{
    public HttpClient Http => server.Client;

    public WharfTestServer Server => server;

    public static string WithQuery(string url, string name, string value)
        => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + name + "=" + Uri.EscapeDataString(value);

    /// <summary>Resolves a Location header (absolute or relative) against the registry root.</summary>
    public Uri Resolve(string location) => new(server.BaseAddress, location);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, byte[]? body = null, string? contentType = null, Action<HttpRequestMessage>? configure = null)
        => SendAsync(method, Resolve(url), body, contentType, configure);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, byte[]? body = null, string? contentType = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string url, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Get, url, configure: configure);

    public Task<HttpResponseMessage> HeadAsync(string url, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Head, url, configure: configure);

    public Task<HttpResponseMessage> DeleteAsync(string url) => SendAsync(HttpMethod.Delete, url);

    /// <summary>POST /v2/name/blobs/uploads/ and returns the session Location's path and query (asserts 202), so that a test may continue it on another instance.</summary>
    public async Task<string> StartUploadAsync(string repository, string? query = null)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/{query}", [], null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location;
        Assert.NotNull(location);
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    /// <summary>The put URL for a session location: location plus digest=.</summary>
    public static string PutUrl(string location, string digest) => WithQuery(location, "digest", digest);

    /// <summary>Pushes a blob the way clients do: HEAD, then POST and PUT when missing. Returns its digest.</summary>
    public async Task<string> PushBlobAsync(string repository, byte[] content, string? digest = null)
    {
        digest ??= Digests.Sha256(content);
        using (var head = await HeadAsync($"/v2/{repository}/blobs/{digest}"))
        {
            if (head.StatusCode == HttpStatusCode.OK)
            {
                return digest;
            }
        }

        var location = await StartUploadAsync(repository);
        using var put = await SendAsync(HttpMethod.Put, PutUrl(location, digest), content, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    public async Task<Descriptor> PushDescriptorAsync(string repository, byte[] content, string mediaType)
    {
        await PushBlobAsync(repository, content);
        return Descriptor.For(mediaType, content);
    }

    public Task<HttpResponseMessage> PutManifestAsync(string repository, string reference, byte[] manifest, string contentType = MediaTypes.OciManifest)
        => SendAsync(HttpMethod.Put, $"/v2/{repository}/manifests/{reference}", manifest, contentType);

    /// <summary>Puts a manifest and asserts 201; returns its digest.</summary>
    public async Task<string> PushManifestAsync(string repository, string reference, byte[] manifest, string contentType = MediaTypes.OciManifest)
    {
        using var response = await PutManifestAsync(repository, reference, manifest, contentType);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            Assert.Fail($"PUT /v2/{repository}/manifests/{reference} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return Digests.Sha256(manifest);
    }

    /// <summary>Pushes a unique config, <paramref name="layerCount"/> random layers and an OCI image manifest.</summary>
    public async Task<PushedImage> PushImageAsync(string repository, string? tag = null, int layerCount = 1, Descriptor? subject = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var config = await PushDescriptorAsync(repository, TestBlobs.Config(), MediaTypes.OciConfig);
        var layers = new List<Descriptor>();
        for (var i = 0; i < layerCount; i++)
        {
            layers.Add(await PushDescriptorAsync(repository, TestBlobs.Random(256 + i), MediaTypes.OciLayerGzip));
        }

        var manifest = ManifestJson.Image(config, layers, subject, annotations: annotations);
        var digest = await PushManifestAsync(repository, tag ?? Digests.Sha256(manifest), manifest);
        return new PushedImage(repository, config, layers, manifest, digest);
    }

    public async Task<HttpStatusCode> BlobStatusAsync(string repository, string digest)
    {
        using var head = await HeadAsync($"/v2/{repository}/blobs/{digest}");
        return head.StatusCode;
    }

    public async Task<HttpStatusCode> ManifestStatusAsync(string repository, string reference)
    {
        using var head = await HeadAsync($"/v2/{repository}/manifests/{reference}");
        return head.StatusCode;
    }

    public async Task<byte[]> GetBlobBytesAsync(string repository, string digest)
    {
        using var response = await GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task<List<string>> TagsAsync(string repository)
    {
        using var response = await GetAsync($"/v2/{repository}/tags/list");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.TagsAsync(response);
    }
}
