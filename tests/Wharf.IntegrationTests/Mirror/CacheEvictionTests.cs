using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;
using Wharf.Core.Services;
using Wharf.Core.Services.Gc;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>
/// Cached content follows eviction and the garbage collector (docs/design/mirroring.md, "Eviction"), on a fake clock.
/// In the metrics collection: these servers' cache requests would otherwise show in <see cref="PullThroughCacheTests"/>' counters.
/// </summary>
[Collection(Metrics.MetricsCollection.Name)]
public sealed class CacheEvictionTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private CachedUpstream _up = null!;

    public async Task InitializeAsync() => _up = await CachedUpstream.StartAsync();

    public async Task DisposeAsync() => await _up.DisposeAsync();

    [Fact]
    public async Task An_image_not_pulled_for_longer_than_EvictAfter_is_evicted_and_collected_and_fetched_again_while_one_pulled_recently_stays()
    {
        var old = OciLayoutBuilder.CreateImage("evicted");
        var fresh = OciLayoutBuilder.CreateImage("fresh");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/old", old, "1");
        var freshDigest = await UpstreamSeed.PushImageAsync(_up.Seed, "library/fresh", fresh, "1");
        await using var wharf = await StartAsync();
        await PullAsync(wharf, "hub/old", old);
        await PullAsync(wharf, "hub/fresh", fresh);
        await FetchesStoredAsync(wharf);

        // 'fresh' is pulled again 20 hours later; 'old' is not pulled for 25 hours, longer than EvictAfter (1 day).
        _time.Advance(TimeSpan.FromHours(20));
        await GetAsync(wharf, "/v2/hub/fresh/manifests/1");
        _time.Advance(TimeSpan.FromHours(5));
        await CollectAsync(wharf);

        var cached = wharf.Services.GetRequiredService<CachedManifests>();
        Assert.Null(await cached.GetTagAsync("hub/old", "1", CancellationToken.None));
        Assert.Null(await cached.GetAsync("hub/old", Digest.Parse(old.ManifestDigest), CancellationToken.None));
        Assert.NotNull(await cached.GetTagAsync("hub/fresh", "1", CancellationToken.None));

        // The collector then removes the evicted image's links and, a grace period later, its bytes; the fresh image's stay.
        await CollectAsync(wharf);
        await CollectAsync(wharf);
        var blobs = wharf.Services.GetRequiredService<BlobService>();
        var storage = wharf.Services.GetRequiredService<IStorageDriver>();
        foreach (var blob in old.BlobDigests)
        {
            Assert.False((await blobs.StatAsync("hub/old", Digest.Parse(blob), CancellationToken.None)).IsOk, $"{blob} is still linked");
            Assert.Null(await storage.StatAsync(StorageLayout.Blob(Digest.Parse(blob)), CancellationToken.None));
        }

        foreach (var blob in fresh.BlobDigests)
        {
            Assert.True((await blobs.StatAsync("hub/fresh", Digest.Parse(blob), CancellationToken.None)).IsOk, $"{blob} of the fresh image was collected");
        }

        // Pulling the evicted image again fetches all of it from the upstream again.
        var before = _up.Relay.Requests.Count;
        await PullAsync(wharf, "hub/old", old);
        var requested = _up.Relay.Requests.Skip(before).ToList();
        Assert.Contains("GET /v2/library/old/manifests/1 HTTP/1.1", requested);
        Assert.All(old.BlobDigests, blob => Assert.Contains($"GET /v2/library/old/blobs/{blob} HTTP/1.1", requested));

        // The image pulled recently is served whole with the upstream gone.
        _up.Relay.Cut();
        Assert.Equal(fresh.ManifestBytes, (await GetAsync(wharf, $"/v2/hub/fresh/manifests/{freshDigest}")).Body);
        foreach (var blob in fresh.BlobDigests)
        {
            Assert.Equal(blob, Digests.Sha256((await GetAsync(wharf, $"/v2/hub/fresh/blobs/{blob}")).Body));
        }
    }

    [Fact]
    public async Task A_blob_fetched_while_the_collector_runs_is_kept_and_served_with_the_upstream_down()
    {
        var image = OciLayoutBuilder.CreateImage("refetched");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/again", image, "1");
        await using var wharf = await StartAsync();
        await PullAsync(wharf, "hub/again", image);
        await FetchesStoredAsync(wharf);

        // Evicted, its links removed, and its blobs due for deletion.
        _time.Advance(TimeSpan.FromDays(2));
        await CollectAsync(wharf);
        await CollectAsync(wharf);
        var storage = wharf.Services.GetRequiredService<IStorageDriver>();
        var layer = image.LayerDigests[0];

        // Pulled again: the layer's fetch is held mid-body while the collector runs (and deletes the blob's old bytes).
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/again/manifests/1")).Body);
        _up.Relay.Hold(16 * 1024);
        using var client = new HttpClient { BaseAddress = wharf.BaseAddress };
        using var response = await client.GetAsync(new Uri($"/v2/hub/again/blobs/{layer}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[4096];
        var read = await body.ReadAsync(first).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(read > 0);
        await CollectAsync(wharf);
        Assert.Null(await storage.StatAsync(StorageLayout.Blob(Digest.Parse(layer)), CancellationToken.None));

        _up.Relay.Open();
        using var rest = new MemoryStream();
        rest.Write(first, 0, read);
        await body.CopyToAsync(rest);
        Assert.Equal(layer, Digests.Sha256(rest.ToArray()));
        await FetchesStoredAsync(wharf);

        // The fetch's commit linked the blob as a push does: it survives the collector within the grace period and
        // after it, because the cached manifest names it.
        await CollectAsync(wharf, advance: TimeSpan.Zero);
        await CollectAsync(wharf);
        await CollectAsync(wharf);
        Assert.NotNull(await storage.StatAsync(StorageLayout.Blob(Digest.Parse(layer)), CancellationToken.None));
        _up.Relay.Cut();
        Assert.Equal(layer, Digests.Sha256((await GetAsync(wharf, $"/v2/hub/again/blobs/{layer}")).Body));
    }

    [Fact]
    public async Task The_offline_plan_leaves_out_the_links_cached_manifests_name_and_lists_them_once_evicted()
    {
        var image = OciLayoutBuilder.CreateImage("planned");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/planned", image, "1");
        await using var wharf = await StartAsync();
        await PullAsync(wharf, "hub/planned", image);
        await FetchesStoredAsync(wharf);
        var offline = wharf.Services.GetRequiredService<OfflineCollector>();

        var plan = await offline.PlanAsync(null, new Progress<GcProgress>(), CancellationToken.None);
        Assert.DoesNotContain(plan.Links, l => l.Repository == "hub/planned");
        Assert.DoesNotContain(plan.Blobs, b => image.BlobDigests.Contains(b.Digest.Value));

        _time.Advance(TimeSpan.FromDays(2));
        await CollectAsync(wharf);
        plan = await offline.PlanAsync(null, new Progress<GcProgress>(), CancellationToken.None);
        Assert.Equal(image.BlobDigests.Order(StringComparer.Ordinal), plan.Links.Where(l => l.Repository == "hub/planned").Select(l => l.Digest.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task With_EvictAfter_zero_nothing_is_evicted()
    {
        var image = OciLayoutBuilder.CreateImage("forever");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/forever", image, "1");
        await using var wharf = await StartAsync(("Mirror:EvictAfter", "00:00:00"));
        await PullAsync(wharf, "hub/forever", image);
        await FetchesStoredAsync(wharf);

        _time.Advance(TimeSpan.FromDays(400));
        await CollectAsync(wharf);
        await CollectAsync(wharf);

        _up.Relay.Cut();
        await PullAsync(wharf, "hub/forever", image);
    }

    [Fact]
    public async Task A_retention_rule_covering_a_cached_repository_keeps_its_most_recently_pulled_tags_and_a_dry_run_lists_the_others()
    {
        var image = OciLayoutBuilder.CreateImage("retained");
        foreach (var tag in new[] { "a", "b", "c" })
        {
            await UpstreamSeed.PushImageAsync(_up.Seed, "team/tool", image, tag);
        }

        await using var wharf = await StartAsync(("Retention:Rules:0:Repositories", "hub/**"), ("Retention:Rules:0:KeepLast", "1"));
        foreach (var tag in new[] { "a", "b", "c", "a" })
        {
            Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, $"/v2/hub/team/tool/manifests/{tag}")).Body);
            _time.Advance(TimeSpan.FromHours(2));
        }

        var dry = await RetentionAsync(wharf, dryRun: true);
        Assert.Equal(["hub/team/tool:b", "hub/team/tool:c"], dry.Select(t => t.Name));
        Assert.All(dry, t => Assert.False(t.Deleted));
        var cached = wharf.Services.GetRequiredService<CachedManifests>();
        Assert.NotNull(await cached.GetTagAsync("hub/team/tool", "b", CancellationToken.None));

        var real = await RetentionAsync(wharf, dryRun: false);
        Assert.Equal(dry.Select(t => t.Name), real.Select(t => t.Name));
        Assert.All(real, t => Assert.True(t.Deleted));
        Assert.NotNull(await cached.GetTagAsync("hub/team/tool", "a", CancellationToken.None));
        Assert.Null(await cached.GetTagAsync("hub/team/tool", "b", CancellationToken.None));
        Assert.Null(await cached.GetTagAsync("hub/team/tool", "c", CancellationToken.None));

        // A tag retention removed is fetched from the upstream on its next pull.
        var before = _up.Relay.Requests.Count;
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/tool/manifests/b")).Body);
        Assert.Contains("GET /v2/team/tool/manifests/b HTTP/1.1", _up.Relay.Requests.Skip(before));
    }

    private static async Task<List<(string Name, bool Deleted)>> RetentionAsync(WharfTestServer wharf, bool dryRun)
    {
        using var response = await wharf.Client.PostAsync(new Uri($"/api/retention/run?dryRun={(dryRun ? "true" : "false")}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("tags").EnumerateArray()
            .Select(t => ($"{t.GetProperty("repository").GetString()}:{t.GetProperty("tag").GetString()}", t.GetProperty("deleted").GetBoolean()))];
    }

    /// <summary>Pulls the image's manifest by tag 1 and all its blobs, checking their bytes.</summary>
    private static async Task PullAsync(WharfTestServer wharf, string repository, OciImage image)
    {
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, $"/v2/{repository}/manifests/1")).Body);
        foreach (var blob in image.BlobDigests)
        {
            Assert.Equal(blob, Digests.Sha256((await GetAsync(wharf, $"/v2/{repository}/blobs/{blob}")).Body));
        }
    }

    /// <summary>Moves the clock past the grace period (by default) and runs one collector cycle, with its storage pass.</summary>
    private async Task CollectAsync(WharfTestServer wharf, TimeSpan? advance = null)
    {
        _time.Advance(advance ?? Grace + TimeSpan.FromSeconds(1));
        await wharf.Services.GetRequiredService<GarbageCollector>().RunCycleAsync(CancellationToken.None);
    }

    private Task<WharfTestServer> StartAsync(params (string Key, string Value)[] extra) =>
        _up.StartCacheAsync(
            _time,
            [
                ("Mirror:EvictAfter", "1.00:00:00"),
                // The tests run the collector's cycles themselves: the background worker would run its own as the clock moves.
                ("Gc:Enabled", "false"),
                ("Gc:GracePeriod", "00:01:00"),
                ("Gc:OrphanScanInterval", "00:00:01"),
                .. extra,
            ]);

    private static Task FetchesStoredAsync(WharfTestServer wharf) => CachedUpstream.FetchesStoredAsync(wharf);

    private static async Task<(byte[] Body, string? Digest)> GetAsync(WharfTestServer wharf, string path)
    {
        using var response = await wharf.Client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return (body, response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null);
    }
}
