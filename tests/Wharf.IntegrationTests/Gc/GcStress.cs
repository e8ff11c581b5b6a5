using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Services.Gc;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Gc;

/// <summary>
/// Eight writers push, re-tag, delete and mount in a loop while every instance's collector runs continuously on a fake
/// clock (grace and untagged periods of 10 minutes; one minute passes per collection round). The clock moves only once
/// every writer has finished a step since the last move, so no push spans more than two minutes of fake time: the
/// design's assumption that a push takes less than the grace period holds by construction, not by luck.
/// </summary>
internal sealed class GcStress(IReadOnlyList<WharfTestServer> instances, FakeTimeProvider time, int iterations)
{
    public const int Writers = 8;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Repository, string Tag), Image> _expected = new();
    private readonly ConcurrentDictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);
    private readonly long[] _progress = new long[Writers];
    private readonly SemaphoreSlim _stepped = new(0);
    private readonly byte[][] _baseLayers = [.. Enumerable.Range(0, 4).Select(_ => TestBlobs.Random(3000))];
    private int _running = Writers;
    private int _retries;

    public static Dictionary<string, string?> Settings => new()
    {
        ["Gc:Enabled"] = "false",
        ["Gc:GracePeriod"] = "00:10:00",
        ["Gc:UntaggedManifests:Policy"] = "Delete",
        ["Gc:UntaggedManifests:After"] = "00:10:00",
        ["Gc:BatchSize"] = "20",
    };

    public int Cycles { get; private set; }

    public long BlobsDeleted { get; private set; }

    public int Retries => _retries;

    public async Task RunAsync()
    {
        var collector = CollectContinuouslyAsync();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(WriteAsync));
        await collector;

        // Let everything that became garbage pass its periods: manifests, then their links, then their blobs.
        for (var round = 0; round < 8; round++)
        {
            time.Advance(TimeSpan.FromMinutes(11));
            await CollectOnEveryInstanceAsync();
        }
    }

    /// <summary>Every tagged image pulls byte-exact, and storage holds exactly the blobs they reference.</summary>
    public async Task VerifyAsync()
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var registry = new Registry(instances[0]);
        foreach (var ((repository, tag), image) in _expected)
        {
            using (var manifest = await registry.GetAsync($"/v2/{repository}/manifests/{tag}"))
            {
                Assert.True(manifest.StatusCode == HttpStatusCode.OK, $"{repository}:{tag} answered {(int)manifest.StatusCode}");
                Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
            }

            foreach (var blob in image.Blobs)
            {
                Assert.Equal(_bytes[blob], await registry.GetBlobBytesAsync(repository, blob));
                referenced.Add(blob);
            }
        }

        var stored = new HashSet<string>(StringComparer.Ordinal);
        var storage = instances[0].Services.GetRequiredService<IStorageDriver>();
        await foreach (var prefix in storage.ListAsync(StorageLayout.BlobsRoot + "/sha256", CancellationToken.None))
        {
            await foreach (var encoded in storage.ListAsync($"{StorageLayout.BlobsRoot}/sha256/{prefix}", CancellationToken.None))
            {
                stored.Add("sha256:" + encoded);
            }
        }

        Assert.Empty(referenced.Except(stored));
        var extra = stored.Except(referenced).ToList();
        if (extra.Count > 0 && Environment.GetEnvironmentVariable("WHARF_GC_DEBUG") is { } dump)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(instances[0].DataDirectory, "wharf.db"));
            db.Open();
            var lines = new List<string>();
            foreach (var d in extra.Take(5))
            {
                foreach (var sql in new[] { "SELECT 'blob', size, created_at FROM blobs WHERE digest = $d", "SELECT 'link', repository_id, created_at FROM repository_blobs WHERE digest = $d", "SELECT 'breview', since, 0 FROM gc_blob_reviews WHERE digest = $d", "SELECT 'lreview', repository_id, since FROM gc_link_reviews WHERE digest = $d", "SELECT 'ref', repository_id, parent_digest FROM manifest_references WHERE child_digest = $d" })
                {
                    using var c = db.CreateCommand();
                    c.CommandText = sql;
                    c.Parameters.AddWithValue("$d", d);
                    using var r = c.ExecuteReader();
                    while (r.Read())
                    {
                        lines.Add($"{d[..15]} {r.GetValue(0)} {r.GetValue(1)} {r.GetValue(2)}");
                    }
                }
            }

            File.WriteAllLines(dump, lines);
        }

        Assert.Empty(extra);
    }

    private async Task CollectContinuouslyAsync()
    {
        while (Volatile.Read(ref _running) > 0)
        {
            var before = (long[])_progress.Clone();
            while (Volatile.Read(ref _running) > 0 && Enumerable.Range(0, Writers).Any(w => Volatile.Read(ref _progress[w]) == before[w] && before[w] >= 0))
            {
                await _stepped.WaitAsync();
            }

            time.Advance(Step);
            await CollectOnEveryInstanceAsync();
        }
    }

    private async Task CollectOnEveryInstanceAsync()
    {
        var results = await Task.WhenAll(instances.Select(i => i.Services.GetRequiredService<GarbageCollector>().RunCycleAsync(CancellationToken.None).AsTask()));
        Cycles++;
        BlobsDeleted += results.Sum(r => r.BlobsDeleted);
    }

    private async Task WriteAsync(int writer)
    {
        try
        {
            var repository = $"stress/w{writer}";
            var copy = $"stress/w{writer}-copy";
            for (var k = 0; k < iterations; k++)
            {
                var registry = new Registry(instances[(writer + k) % instances.Count]);
                var image = await PushImageAsync(registry, repository, $"t{k % 3}", _baseLayers[(writer + k) % _baseLayers.Length]);
                _expected[(repository, $"t{k % 3}")] = image;
                if (k % 4 == 1)
                {
                    var tag = $"t{(k + 1) % 3}";
                    using var delete = await registry.DeleteAsync($"/v2/{repository}/manifests/{tag}");
                    _expected.TryRemove((repository, tag), out _);
                }

                if (k % 5 == 2 && _expected.TryGetValue((repository, $"t{(k + 2) % 3}"), out var victim))
                {
                    using var delete = await registry.DeleteAsync($"/v2/{repository}/manifests/{victim.Digest}");
                    foreach (var key in _expected.Keys.Where(key => key.Repository == repository && _expected.TryGetValue(key, out var i) && i.Digest == victim.Digest).ToList())
                    {
                        _expected.TryRemove(key, out _);
                    }
                }

                if (k % 3 == 0)
                {
                    await MountAndTagAsync(registry, repository, copy, image, $"m{k % 2}");
                }

                Interlocked.Increment(ref _progress[writer]);
                _stepped.Release();
            }
        }
        finally
        {
            _progress[writer] = long.MinValue;
            Interlocked.Decrement(ref _running);
            _stepped.Release();
        }
    }

    private async Task<Image> PushImageAsync(Registry registry, string repository, string tag, byte[] baseLayer)
    {
        var config = TestBlobs.Config();
        var own = TestBlobs.Random(2000);
        var descriptors = new[] { Descriptor.For(MediaTypes.OciLayerGzip, baseLayer), Descriptor.For(MediaTypes.OciLayerGzip, own) };
        var manifest = ManifestJson.Image(Descriptor.For(MediaTypes.OciConfig, config), descriptors);
        var image = new Image(Digests.Sha256(manifest), manifest, [Digests.Sha256(config), .. descriptors.Select(d => d.Digest)]);
        foreach (var bytes in new[] { config, baseLayer, own })
        {
            _bytes[Digests.Sha256(bytes)] = bytes;
        }

        // As clients do: HEAD each blob and upload the missing ones. Between a HEAD and the manifest, the collector
        // may remove a link that no manifest had referenced for a whole grace period: the push is then refused with
        // MANIFEST_BLOB_UNKNOWN and, as a client would, the writer uploads again.
        for (var attempt = 0; ; attempt++)
        {
            foreach (var bytes in new[] { config, baseLayer, own })
            {
                if (attempt == 0)
                {
                    await registry.PushBlobAsync(repository, bytes);
                }
                else
                {
                    var location = await registry.StartUploadAsync(repository);
                    using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(bytes)), bytes, MediaTypes.OctetStream);
                    Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                }
            }

            using var response = await registry.PutManifestAsync(repository, tag, manifest);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return image;
            }

            Assert.True(attempt == 0 && response.StatusCode == HttpStatusCode.BadRequest, $"manifest push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Interlocked.Increment(ref _retries);
        }
    }

    private async Task MountAndTagAsync(Registry registry, string from, string repository, Image image, string tag)
    {
        foreach (var blob in image.Blobs)
        {
            using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?mount={blob}&from={from}");
            if (mount.StatusCode != HttpStatusCode.Created)
            {
                // Not mountable any more (the source let go of it): upload the bytes instead.
                using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(mount.Headers.Location!.ToString(), blob), _bytes[blob], MediaTypes.OctetStream);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
        }

        using var response = await registry.PutManifestAsync(repository, tag, image.Manifest);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            _expected[(repository, tag)] = image;
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Interlocked.Increment(ref _retries);
        }
    }

    private sealed record Image(string Digest, byte[] Manifest, IReadOnlyList<string> Blobs);
}
