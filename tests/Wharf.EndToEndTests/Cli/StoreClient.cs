using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Wharf.EndToEndTests.Cli;

/// <summary>An image, index or artifact pushed by <see cref="StoreClient"/>: its manifest bytes and every blob's bytes.</summary>
internal sealed record PushedManifest(string Repository, string Tag, string MediaType, byte[] Manifest, IReadOnlyDictionary<string, byte[]> Blobs)
{
    public string Digest => StoreClient.Sha256(Manifest);
}

/// <summary>
/// The registry API as the check and backup tests need it: images with several layers, indexes and artifacts with a
/// subject, blobs pushed the way clients push them (HEAD first, so a blob the registry calls unknown is uploaded again),
/// and byte-exact pulls. <see cref="RawPush"/> is the one-layer shortcut the gc tests use.
/// </summary>
internal sealed class StoreClient(HttpClient http)
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    private const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    private const string Layer = "application/vnd.oci.image.layer.v1.tar+gzip";

    public static string Sha256(byte[] bytes) => RawPush.Sha256(bytes);

    public static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Pushes a blob as clients do: HEAD, then (when unknown) POST and PUT with the body.</summary>
    public async Task<string> PushBlobAsync(string repository, byte[] content)
    {
        var digest = Sha256(content);
        if (await BlobStatusAsync(repository, digest) == HttpStatusCode.OK)
        {
            return digest;
        }

        using var start = await http.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/", UriKind.Relative), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        using var put = await http.PutAsync(
            new Uri(location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest), UriKind.RelativeOrAbsolute),
            new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    public async Task<HttpResponseMessage> PutManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await http.PutAsync(new Uri($"/v2/{repository}/manifests/{reference}", UriKind.Relative), content);
    }

    /// <summary>Pushes a config, <paramref name="layers"/> random layers and their image manifest, tagged.</summary>
    public async Task<PushedManifest> PushImageAsync(string repository, string tag, int layers = 2, string? subject = null, string? artifactType = null)
    {
        var blobs = new Dictionary<string, byte[]>();
        var config = artifactType is null
            ? Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"created":"{{Guid.NewGuid():N}}"}""")
            : Encoding.UTF8.GetBytes("{}");
        blobs[await PushBlobAsync(repository, config)] = config;
        var layerJson = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            var layer = RandomBytes(1000 + Random.Shared.Next(5000));
            var digest = await PushBlobAsync(repository, layer);
            blobs[digest] = layer;
            layerJson.Add($$"""{"mediaType":"{{Layer}}","digest":"{{digest}}","size":{{layer.Length}}}""");
        }

        var configType = artifactType is null ? ImageConfig : "application/vnd.oci.empty.v1+json";
        var extra = (artifactType is null ? "" : $",\"artifactType\":\"{artifactType}\"")
            + (subject is null ? "" : $",\"subject\":{subject}");
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{ImageManifest}}","config":{"mediaType":"{{configType}}","digest":"{{Sha256(config)}}","size":{{config.Length}}},"layers":[{{string.Join(',', layerJson)}}]{{extra}}}""");
        using var put = await PutManifestAsync(repository, tag, manifest, ImageManifest);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"manifest push answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        return new PushedManifest(repository, tag, ImageManifest, manifest, blobs);
    }

    /// <summary>Pushes an index of <paramref name="children"/> (already pushed by digest) under <paramref name="tag"/>.</summary>
    public async Task<PushedManifest> PushIndexAsync(string repository, string tag, IReadOnlyList<(PushedManifest Manifest, string Architecture)> children)
    {
        var entries = children.Select(c =>
            $$$"""{"mediaType":"{{{ImageManifest}}}","digest":"{{{c.Manifest.Digest}}}","size":{{{c.Manifest.Manifest.Length}}},"platform":{"architecture":"{{{c.Architecture}}}","os":"linux"}}""");
        var index = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{ImageIndex}}","manifests":[{{string.Join(',', entries)}}]}""");
        using var put = await PutManifestAsync(repository, tag, index, ImageIndex);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"index push answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        return new PushedManifest(repository, tag, ImageIndex, index, new Dictionary<string, byte[]>());
    }

    public async Task<HttpStatusCode> BlobStatusAsync(string repository, string digest)
    {
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative)));
        return head.StatusCode;
    }

    /// <summary>GET of a blob: the status, the body and the error code (when the body is an error envelope).</summary>
    public async Task<(HttpStatusCode Status, byte[] Body, string? ErrorCode)> GetBlobAsync(string repository, string digest)
    {
        using var response = await http.GetAsync(new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, body, ErrorCodeOf(response, body));
    }

    /// <summary>GET of a manifest by tag or digest, asking for every OCI type; asserts 200 and returns the exact bytes.</summary>
    public async Task<byte[]> GetManifestAsync(string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v2/{repository}/manifests/{reference}", UriKind.Relative));
        request.Headers.Accept.ParseAdd(ImageManifest);
        request.Headers.Accept.ParseAdd(ImageIndex);
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET manifest {repository}:{reference} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Pulls the manifest by tag and by digest and every blob it names, asserting each is byte-exact.</summary>
    public async Task AssertPullsExactlyAsync(PushedManifest pushed)
    {
        Assert.Equal(pushed.Manifest, await GetManifestAsync(pushed.Repository, pushed.Tag));
        Assert.Equal(pushed.Manifest, await GetManifestAsync(pushed.Repository, pushed.Digest));
        foreach (var (digest, bytes) in pushed.Blobs)
        {
            var (status, body, _) = await GetBlobAsync(pushed.Repository, digest);
            Assert.True(status == HttpStatusCode.OK, $"GET blob {pushed.Repository}@{digest} answered {(int)status}");
            Assert.Equal(bytes, body);
        }
    }

    public static string? ErrorCodeOf(HttpResponseMessage response, byte[] body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
    }
}
