using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Wharf.EndToEndTests.Soak;

/// <summary>
/// One soak client's loop: pushes (monolithic and chunked uploads, cross-repository mounts, manifests, tag re-points),
/// pulls of acknowledged images checked byte for byte, tag and catalog listings and searches, mixed at random. A request
/// that answers anything but what the protocol promises is recorded as a failure; the loop goes on.
/// </summary>
internal sealed class SoakWorkload(HttpClient client, SoakLedger ledger, SoakImages images)
{
    public const int Repositories = 8;
    private const int TagsPerRepository = 20;

    public static string Repository(int index) => $"soak/app-{index}";

    /// <summary>
    /// A layer every repository's images may share: pushed once to the first repository, where an image tagged
    /// <c>base</c> keeps it (the collector runs during the soak), and mounted from there by the others.
    /// </summary>
    public static async Task<(string Digest, int Size)> PushBaseLayerAsync(HttpClient client)
    {
        var bytes = RandomNumberGenerator.GetBytes(64 * 1024);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}""");
        foreach (var blob in new[] { bytes, config })
        {
            using var content = Octets(blob);
            using var post = await client.PostAsync(new Uri($"/v2/{Repository(0)}/blobs/uploads/?digest={Sha256(blob)}", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var manifest = new ByteArrayContent(Manifest(config, LayerDescriptor(Sha256(bytes), bytes.Length)));
        manifest.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await client.PutAsync(new Uri($"/v2/{Repository(0)}/manifests/base", UriKind.Relative), manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (Sha256(bytes), bytes.Length);
    }

    public async Task RunAsync(Random random, (string Digest, int Size) baseLayer, DateTimeOffset until)
    {
        while (DateTimeOffset.UtcNow < until)
        {
            var roll = random.Next(100);
            try
            {
                if (roll < 30 || images.IsEmpty)
                {
                    await PushAsync(random, baseLayer);
                }
                else if (roll < 75)
                {
                    await PullAsync(images.PickTag(random));
                }
                else if (roll < 90)
                {
                    await ListAsync(random);
                }
                else
                {
                    await SearchAsync();
                }
            }
            catch (HttpRequestException e)
            {
                ledger.Fail("transport", e.Message);
            }
            catch (TaskCanceledException e)
            {
                ledger.Fail("timeout", e.Message);
            }
        }
    }

    private async Task PushAsync(Random random, (string Digest, int Size) baseLayer)
    {
        var repository = Repository(random.Next(Repositories));
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","created":"{{Guid.NewGuid()}}"}""");
        var layer = new byte[random.Next(512, 64 * 1024)];
        random.NextBytes(layer);
        if (!await UploadAsync(repository, config, chunked: false) || !await UploadAsync(repository, layer, chunked: random.Next(2) == 0))
        {
            return;
        }

        var layers = LayerDescriptor(Sha256(layer), layer.Length);
        if (random.Next(4) == 0)
        {
            if (!await MountAsync(repository, baseLayer.Digest))
            {
                return;
            }

            layers += "," + LayerDescriptor(baseLayer.Digest, baseLayer.Size);
        }

        var manifest = Manifest(config, layers);
        var tag = $"t{random.Next(TagsPerRepository)}";
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        images.Sent(Sha256(manifest), manifest);
        using var put = await TimedAsync("manifest put", () => client.PutAsync(new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative), content));
        if (Expect(put, HttpStatusCode.Created, "manifest put"))
        {
            images.Acknowledged(repository, tag);
        }
    }

    private static byte[] Manifest(byte[] config, string layers) => Encoding.UTF8.GetBytes($$"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Sha256(config)}}","size":{{config.Length}}},
         "layers":[{{layers}}]}
        """);

    private static string LayerDescriptor(string digest, int size) =>
        FormattableString.Invariant($$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{digest}}","size":{{size}}}""");

    private async Task<bool> UploadAsync(string repository, byte[] bytes, bool chunked)
    {
        var digest = Sha256(bytes);
        if (!chunked)
        {
            using var content = Octets(bytes);
            using var post = await TimedAsync("blob post", () => client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?digest={digest}", UriKind.Relative), content));
            return Expect(post, HttpStatusCode.Created, "blob post");
        }

        using var start = await TimedAsync("upload start", () => client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/", UriKind.Relative), null));
        if (!Expect(start, HttpStatusCode.Accepted, "upload start"))
        {
            return false;
        }

        var location = start.Headers.Location!;
        var half = bytes.Length / 2;
        foreach (var (offset, length) in new[] { (0, half), (half, bytes.Length - half) })
        {
            using var chunk = Octets(bytes.AsSpan(offset, length).ToArray());
            chunk.Headers.TryAddWithoutValidation("Content-Range", FormattableString.Invariant($"{offset}-{offset + length - 1}"));
            using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = chunk };
            using var patch = await TimedAsync("upload patch", () => client.SendAsync(request));
            if (!Expect(patch, HttpStatusCode.Accepted, "upload patch"))
            {
                return false;
            }

            location = patch.Headers.Location!;
        }

        var separator = location.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var commit = await TimedAsync("upload commit", () => client.PutAsync(new Uri($"{location.OriginalString}{separator}digest={digest}", UriKind.RelativeOrAbsolute), null));
        return Expect(commit, HttpStatusCode.Created, "upload commit");
    }

    private async Task<bool> MountAsync(string repository, string digest)
    {
        using var mount = await TimedAsync("blob mount", () => client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?mount={digest}&from={Repository(0)}", UriKind.Relative), null));
        return Expect(mount, HttpStatusCode.Created, "blob mount");
    }

    /// <summary>
    /// Pulls by tag, as clients do: the manifest must be one a client sent (tags move between them), and every blob
    /// it names must come back with its digest's bytes.
    /// </summary>
    private async Task PullAsync((string Repository, string Tag) image)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v2/{image.Repository}/manifests/{image.Tag}", UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var get = await TimedAsync("manifest get", () => client.SendAsync(request));
        if (!Expect(get, HttpStatusCode.OK, "manifest get"))
        {
            return;
        }

        var manifest = await get.Content.ReadAsByteArrayAsync();
        var digest = Sha256(manifest);
        if (!images.WasSent(digest, manifest) || get.Headers.GetValues("Docker-Content-Digest").Single() != digest)
        {
            ledger.Fail("manifest get", $"{image.Repository}:{image.Tag} came back as {digest}, which no client sent");
            return;
        }

        using var document = JsonDocument.Parse(manifest);
        var blobs = document.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)
            .Prepend(document.RootElement.GetProperty("config").GetProperty("digest").GetString()!).ToList();
        foreach (var blobDigest in blobs)
        {
            using var blob = await TimedAsync("blob get", () => client.GetAsync(new Uri($"/v2/{image.Repository}/blobs/{blobDigest}", UriKind.Relative)));
            if (Expect(blob, HttpStatusCode.OK, "blob get") && Sha256(await blob.Content.ReadAsByteArrayAsync()) != blobDigest)
            {
                ledger.Fail("blob get", $"{image.Repository}@{blobDigest} came back with other bytes");
            }
        }
    }

    private async Task ListAsync(Random random)
    {
        var (kind, uri) = random.Next(3) == 0
            ? ("catalog", "/v2/_catalog?n=100")
            : ("tags list", $"/v2/{Repository(random.Next(Repositories))}/tags/list");
        using var list = await TimedAsync(kind, () => client.GetAsync(new Uri(uri, UriKind.Relative)));
        if (list.StatusCode == HttpStatusCode.NotFound && kind == "tags list")
        {
            return; // a repository no push has reached yet
        }

        if (Expect(list, HttpStatusCode.OK, kind))
        {
            using var json = JsonDocument.Parse(await list.Content.ReadAsByteArrayAsync());
            _ = json.RootElement.GetProperty(kind == "catalog" ? "repositories" : "tags").GetArrayLength();
        }
    }

    private async Task SearchAsync()
    {
        using var search = await TimedAsync("search", () => client.GetAsync(new Uri("/v1/search?q=app&n=25", UriKind.Relative)));
        if (Expect(search, HttpStatusCode.OK, "search"))
        {
            using var json = JsonDocument.Parse(await search.Content.ReadAsByteArrayAsync());
            _ = json.RootElement.GetProperty("results").GetArrayLength();
        }
    }

    private async Task<HttpResponseMessage> TimedAsync(string kind, Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await send();
        ledger.Record(kind, Stopwatch.GetElapsedTime(started));
        return response;
    }

    private bool Expect(HttpResponseMessage response, HttpStatusCode expected, string kind)
    {
        if (response.StatusCode == expected)
        {
            return true;
        }

        ledger.Fail(kind, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)expected}");
        return false;
    }

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>The manifests clients sent, and the tags whose push was acknowledged, which pulls pick from.</summary>
internal sealed class SoakImages
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _sent = new(StringComparer.Ordinal);
    private readonly List<(string Repository, string Tag)> _tags = [];
    private readonly HashSet<(string Repository, string Tag)> _known = [];

    public int Count => _sent.Count;

    public bool IsEmpty
    {
        get
        {
            lock (_tags)
            {
                return _tags.Count == 0;
            }
        }
    }

    public void Sent(string digest, byte[] manifest) => _sent[digest] = manifest;

    public bool WasSent(string digest, byte[] manifest) => _sent.TryGetValue(digest, out var sent) && sent.AsSpan().SequenceEqual(manifest);

    public void Acknowledged(string repository, string tag)
    {
        lock (_tags)
        {
            if (_known.Add((repository, tag)))
            {
                _tags.Add((repository, tag));
            }
        }
    }

    public (string Repository, string Tag) PickTag(Random random)
    {
        lock (_tags)
        {
            return _tags[random.Next(_tags.Count)];
        }
    }
}
