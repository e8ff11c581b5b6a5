using System.Net;
using System.Net.Http.Headers;
using Wharf.TestKit;

namespace Wharf.BrowserTests.Infrastructure;

/// <summary>Pushes the test kit's images (real gzip tar layers) over the registry API, as a signed-in user.</summary>
public sealed class ImagePusher(HttpClient client)
{
    public async Task<string> PushImageAsync(string repository, OciImage image, string? tag)
    {
        await PushBlobAsync(repository, image.ConfigBytes);
        foreach (var layer in image.Layers)
        {
            await PushBlobAsync(repository, layer.Compressed);
        }

        await PutManifestAsync(repository, tag ?? image.ManifestDigest, image.ManifestBytes, OciLayoutMediaTypes.OciManifest);
        return image.ManifestDigest;
    }

    /// <summary>Pushes every image by digest, then the index of them as <paramref name="tag"/>; returns the index digest.</summary>
    public async Task<string> PushIndexAsync(string repository, IReadOnlyList<OciImage> images, string tag)
    {
        foreach (var image in images)
        {
            await PushImageAsync(repository, image, tag: null);
        }

        var index = OciLayoutJson.Index(images);
        await PutManifestAsync(repository, tag, index, OciLayoutMediaTypes.OciIndex);
        return OciLayoutDigests.Sha256(index);
    }

    /// <summary>
    /// Pushes an artifact (an SBOM-like JSON blob) whose subject is <paramref name="subject"/>, by digest, as
    /// signatures and SBOMs are pushed; returns its digest.
    /// </summary>
    public async Task<string> PushReferrerAsync(string repository, OciImage subject, string artifactType, string annotation)
    {
        var empty = "{}"u8.ToArray();
        var payload = System.Text.Encoding.UTF8.GetBytes("{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"" + annotation + "\"}");
        await PushBlobAsync(repository, empty);
        await PushBlobAsync(repository, payload);
        var manifest = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciLayoutMediaTypes.OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = new { mediaType = "application/vnd.oci.empty.v1+json", digest = OciLayoutDigests.Sha256(empty), size = empty.Length },
            ["layers"] = new[] { new { mediaType = "application/spdx+json", digest = OciLayoutDigests.Sha256(payload), size = payload.Length } },
            ["subject"] = new { mediaType = OciLayoutMediaTypes.OciManifest, digest = subject.ManifestDigest, size = subject.ManifestBytes.Length },
            ["annotations"] = new Dictionary<string, string> { ["org.example.note"] = annotation },
        });
        var digest = OciLayoutDigests.Sha256(manifest);
        await PutManifestAsync(repository, digest, manifest, OciLayoutMediaTypes.OciManifest);
        return digest;
    }

    private async Task PushBlobAsync(string repository, byte[] content)
    {
        var digest = OciLayoutDigests.Sha256(content);
        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        await EnsureAsync(start, HttpStatusCode.Accepted);
        var location = new Uri(client.BaseAddress!, start.Headers.Location!);
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await client.PutAsync(location + separator + "digest=" + Uri.EscapeDataString(digest), body);
        await EnsureAsync(put, HttpStatusCode.Created);
    }

    private async Task PutManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        using var body = new ByteArrayContent(manifest);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{reference}", body);
        await EnsureAsync(put, HttpStatusCode.Created);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
