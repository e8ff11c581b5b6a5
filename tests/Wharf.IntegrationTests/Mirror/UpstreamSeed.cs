using System.Net;
using System.Net.Http.Headers;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>Pushes blobs and images straight into an upstream registry (Distribution), as any client would.</summary>
public static class UpstreamSeed
{
    public static async Task<string> PushBlobAsync(HttpClient http, string repository, byte[] content)
    {
        var digest = Digests.Sha256(content);
        using var start = await http.PostAsync(new Uri($"v2/{repository}/blobs/uploads/", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        var target = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
        var put = Registry.WithQuery(target.ToString(), "digest", digest);
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.PutAsync(new Uri(put), body);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        return digest;
    }

    public static async Task<string> PushManifestAsync(HttpClient http, string repository, string reference, byte[] manifest, string mediaType = MediaTypes.OciManifest)
    {
        using var body = new ByteArrayContent(manifest);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await http.PutAsync(new Uri($"v2/{repository}/manifests/{reference}", UriKind.Relative), body);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT manifest: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        return Digests.Sha256(manifest);
    }

    /// <summary>Pushes the image's blobs and manifest under <paramref name="tag"/>; returns the manifest's digest.</summary>
    public static async Task<string> PushImageAsync(HttpClient http, string repository, OciImage image, string tag)
    {
        await PushBlobAsync(http, repository, image.ConfigBytes);
        foreach (var layer in image.Layers)
        {
            await PushBlobAsync(http, repository, layer.Compressed);
        }

        return await PushManifestAsync(http, repository, tag, image.ManifestBytes);
    }

    /// <summary>An image whose one layer is <paramref name="layer"/> (any bytes: registries do not look inside).</summary>
    public static (byte[] Manifest, byte[] Config) ImageAround(byte[] layer)
    {
        var config = System.Text.Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var manifest = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Digests.Sha256(config)}\",\"size\":{config.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{Digests.Sha256(layer)}\",\"size\":{layer.Length}}}]}}");
        return (manifest, config);
    }
}
