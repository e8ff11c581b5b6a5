using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Wharf.Bench.Load;

/// <summary>Small-image workloads and the seeding of tags and repositories.</summary>
public static class Images
{
    /// <summary>A 4 KiB layer, its config and its OCI manifest, deterministic for (seed, index).</summary>
    public sealed record Image(byte[] Layer, string LayerDigest, byte[] Config, string ConfigDigest, byte[] Manifest, string ManifestDigest)
    {
        public static Image Create(string seed, int index, int layerSize = 4096)
        {
            var layer = new byte[layerSize];
            new Random(BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{index}")))).NextBytes(layer);
            Encoding.ASCII.GetBytes($"{seed}/{index}/").CopyTo(layer, 0); // unique even if two seeds collide
            var layerDigest = Util.Sha256(layer);
            var config = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"architecture":"amd64","os":"linux","config":{"Labels":{"bench":"{{{seed}}}-{{{index}}}"}},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}"""));
            var configDigest = Util.Sha256(config);
            var manifest = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"schemaVersion":2,"mediaType":"{{{RegistryClient.OciManifest}}}","config":{"mediaType":"{{{RegistryClient.OciConfig}}}","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"{{{RegistryClient.OciLayer}}}","digest":"{{{layerDigest}}}","size":{{{layer.Length}}}}]}"""));
            return new Image(layer, layerDigest, config, configDigest, manifest, Util.Sha256(manifest));
        }
    }

    /// <summary>What a client does for a new image: HEAD, POST, PUT for each blob, then PUT the manifest (7 requests).</summary>
    /// <param name="patch">Blobs as POST, PATCH, PUT (9 requests an image) instead of POST and PUT with the body (7).</param>
    public static async Task PushAsync(RegistryClient client, string repository, string tag, Image image, bool patch = false)
    {
        foreach (var (blob, digest) in new[] { (image.Layer, image.LayerDigest), (image.Config, image.ConfigDigest) })
        {
            if (!await client.BlobExistsAsync(repository, digest))
            {
                var content = new ByteArrayContent(blob);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                await (patch ? client.PushBlobPatchedAsync(repository, digest, content) : client.PushBlobAsync(repository, digest, content));
            }
        }

        await client.PutManifestAsync(repository, tag, image.Manifest);
    }

    /// <summary>Pushes one image tagged latest and prints its digests (the target of the wrk phases).</summary>
    public static async Task<string> SeedHotAsync(Options o)
    {
        using var client = new RegistryClient(o.Get("url"));
        var image = Image.Create(o.Get("seed", "hot"), 0);
        await PushAsync(client, o.Get("repo"), "latest", image);
        return Util.Json(("layer", image.LayerDigest), ("config", image.ConfigDigest), ("manifest", image.ManifestDigest));
    }

    public static async Task<string> SmallImagesAsync(Options o)
    {
        var count = o.Int("count", 200);
        var workers = o.Int("workers", 1);
        var repository = o.Get("repo");
        var seed = o.Get("seed");
        var patch = o.Get("method", "put") == "patch";
        using var client = new RegistryClient(o.Get("url"), Math.Max(workers, 1));
        var images = Enumerable.Range(0, count).Select(i => Image.Create(seed, i)).ToArray();
        var latencies = new double[count];
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                await PushAsync(client, repository, "v" + i.ToString(CultureInfo.InvariantCulture), images[i], patch);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        sw.Stop();
        Array.Sort(latencies);
        return Util.Json(
            ("images", count),
            ("workers", workers),
            ("requests", count * (patch ? 9 : 7)),
            ("seconds", Util.Round(sw.Elapsed.TotalSeconds, 4)),
            ("images_per_s", Util.Round(count / sw.Elapsed.TotalSeconds, 1)),
            ("image_p50_ms", Util.Round(latencies[count / 2], 2)),
            ("image_p99_ms", Util.Round(latencies[Math.Min(count - 1, (int)(count * 0.99))], 2)));
    }

    /// <summary>Pushes one image into a repository and points COUNT tags at it.</summary>
    public static async Task<string> SeedTagsAsync(Options o)
    {
        var count = o.Int("count", 2000);
        var repository = o.Get("repo");
        using var client = new RegistryClient(o.Get("url"), 8);
        var image = Image.Create(o.Get("seed", "tags"), 0);
        await PushAsync(client, repository, "t0000", image);
        var sw = Stopwatch.StartNew();
        await ParallelAsync(count - 1, 8, i => client.PutManifestAsync(repository, "t" + (i + 1).ToString("D4", CultureInfo.InvariantCulture), image.Manifest));
        return Util.Json(("tags", count), ("seconds", Util.Round(sw.Elapsed.TotalSeconds, 3)), ("seeded_by", "HTTP manifest PUT by tag"));
    }

    /// <summary>Creates COUNT repositories PREFIX/rNNNN, each by mounting an image's blobs from FROM and putting its manifest.</summary>
    public static async Task<string> SeedRepositoriesAsync(Options o)
    {
        var count = o.Int("count", 1000);
        var prefix = o.Get("prefix");
        var from = o.Get("from");
        using var client = new RegistryClient(o.Get("url"), 8);
        var image = Image.Create(o.Get("seed", "hot"), 0);
        var sw = Stopwatch.StartNew();
        await ParallelAsync(count, 8, async i =>
        {
            var repository = prefix + "/r" + i.ToString("D4", CultureInfo.InvariantCulture);
            await client.MountAsync(repository, image.LayerDigest, from);
            await client.MountAsync(repository, image.ConfigDigest, from);
            await client.PutManifestAsync(repository, "latest", image.Manifest);
        });
        return Util.Json(("repositories", count), ("seconds", Util.Round(sw.Elapsed.TotalSeconds, 3)), ("seeded_by", "HTTP blob mount + manifest PUT"));
    }

    private static Task ParallelAsync(int count, int workers, Func<int, Task> body)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await body(i);
            }
        })));
    }
}
