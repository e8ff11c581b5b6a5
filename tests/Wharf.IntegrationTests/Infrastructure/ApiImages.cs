using System.Net;
using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Pushes test-kit images over /v2/ and reads the JSON API.</summary>
public static class ApiImages
{
    /// <summary>Pushes the image's config, layers and manifest; returns the manifest digest.</summary>
    public static async Task<string> PushAsync(this Registry registry, string repository, OciImage image, string? tag = null)
    {
        await registry.PushBlobAsync(repository, image.ConfigBytes);
        foreach (var layer in image.Layers)
        {
            await registry.PushBlobAsync(repository, layer.Compressed);
        }

        return await registry.PushManifestAsync(repository, tag ?? image.ManifestDigest, image.ManifestBytes);
    }

    /// <summary>Pushes every image of a multi-platform index and the index itself under <paramref name="tag"/>.</summary>
    public static async Task<(string Digest, byte[] Bytes)> PushIndexAsync(this Registry registry, string repository, IReadOnlyList<OciImage> images, string tag)
    {
        foreach (var image in images)
        {
            await registry.PushAsync(repository, image);
        }

        var index = OciLayoutJson.Index(images);
        return (await registry.PushManifestAsync(repository, tag, index, MediaTypes.OciIndex), index);
    }

    /// <summary>GETs <paramref name="url"/>, asserts the status, and returns the JSON body.</summary>
    public static async Task<JsonElement> JsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {url}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The first error code of an error envelope.</summary>
    public static string FirstErrorCode(this JsonElement envelope) => envelope.GetProperty("errors")[0].GetProperty("code").GetString()!;

    public static List<string> Strings(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
