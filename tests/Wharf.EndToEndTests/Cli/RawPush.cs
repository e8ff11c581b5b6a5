using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.EndToEndTests.Cli;

/// <summary>An image pushed by <see cref="RawPush"/>: its manifest and its blobs' bytes by digest.</summary>
public sealed record RawImage(string Tag, string Digest, byte[] Manifest, string Layer, IReadOnlyDictionary<string, byte[]> Blobs);

/// <summary>Pushes with plain HTTP, to fill a data directory that the CLI then works on.</summary>
public static class RawPush
{
    /// <summary>A unique config and one random layer of <paramref name="layerSize"/> bytes, tagged.</summary>
    public static async Task<RawImage> ImageAsync(HttpClient client, string repository, string tag, int layerSize = 1000)
    {
        var configBytes = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid()}}"}""");
        var layerBytes = RandomNumberGenerator.GetBytes(layerSize);
        var config = await BlobAsync(client, repository, configBytes);
        var layer = await BlobAsync(client, repository, layerBytes);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":{{configBytes.Length}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{layer}}","size":{{layerBytes.Length}}}]}
            """);
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await client.PutAsync(new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new RawImage(tag, Sha256(manifest), manifest, layer, new Dictionary<string, byte[]> { [config] = configBytes, [layer] = layerBytes });
    }

    /// <summary>One monolithic POST; returns the digest.</summary>
    public static async Task<string> BlobAsync(HttpClient client, string repository, byte[] bytes)
    {
        var digest = Sha256(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var post = await client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?digest={digest}", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        return digest;
    }

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
