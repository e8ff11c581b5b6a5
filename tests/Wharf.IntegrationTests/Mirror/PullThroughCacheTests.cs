using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>
/// The pull-through cache against a real upstream (Distribution 2.8.2) behind a relay that records, holds back or cuts
/// its traffic (docs/design/mirroring.md). Alone in the process (see <see cref="Metrics.MetricsCollection"/>): one test
/// reads the cache's counters on <c>/metrics</c>, which other test servers running at the same time would add to.
/// </summary>
[Collection(Metrics.MetricsCollection.Name)]
public sealed class PullThroughCacheTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private CachedUpstream _up = null!;

    public async Task InitializeAsync() => _up = await CachedUpstream.StartAsync();

    public async Task DisposeAsync() => await _up.DisposeAsync();

    [Fact]
    public async Task An_image_pulled_through_the_prefix_is_byte_exact_and_stays_served_when_the_upstream_is_cut()
    {
        var image = OciLayoutBuilder.CreateImage("alpine");
        var digest = await UpstreamSeed.PushImageAsync(_up.Seed, "library/alpine", image, "3");
        await using var wharf = await StartAsync();

        var manifest = await GetAsync(wharf, "/v2/hub/alpine/manifests/3");
        Assert.Equal(image.ManifestBytes, manifest.Body);
        Assert.Equal(digest, manifest.Digest);
        foreach (var blob in image.BlobDigests)
        {
            var fetched = await GetAsync(wharf, $"/v2/hub/alpine/blobs/{blob}");
            Assert.Equal(blob, Digests.Sha256(fetched.Body));
        }

        await FetchesStoredAsync(wharf);
        _up.Relay.Cut();
        var byDigest = await GetAsync(wharf, $"/v2/hub/alpine/manifests/{digest}");
        Assert.Equal(image.ManifestBytes, byDigest.Body);
        Assert.Equal(image.ConfigBytes, (await GetAsync(wharf, $"/v2/hub/alpine/blobs/{image.ConfigDigest}")).Body);
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/alpine/manifests/3")).Body);
    }

    [Fact]
    public async Task Small_blobs_the_cache_stores_are_kept_in_the_database_like_small_blobs_pushed_whole()
    {
        var image = OciLayoutBuilder.CreateImage("busybox");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/busybox", image, "1");
        await using var wharf = await StartAsync(("Storage:Driver", "FileSystem"), ("Metadata:Driver", "Sqlite"));

        Assert.Equal(image.ConfigBytes, (await GetAsync(wharf, $"/v2/hub/busybox/blobs/{image.ConfigDigest}")).Body);
        await FetchesStoredAsync(wharf);

        var config = image.ConfigDigest;
        Assert.False(File.Exists(Path.Combine(wharf.DataDirectory, "blobs", "sha256", config[7..9], config[7..])));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(wharf.DataDirectory, "wharf.db")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var row = connection.CreateCommand();
            row.CommandText = "SELECT length(bytes) FROM blob_bytes WHERE path LIKE '%' || $d";
            row.Parameters.AddWithValue("$d", config[7..]);
            Assert.Equal((long)image.ConfigBytes.Length, row.ExecuteScalar());
        }

        _up.Relay.Cut();
        Assert.Equal(image.ConfigBytes, (await GetAsync(wharf, $"/v2/hub/busybox/blobs/{config}")).Body);
    }

    [Fact]
    public async Task The_garbage_collector_keeps_cached_blobs_so_they_are_served_with_the_upstream_down()
    {
        var image = OciLayoutBuilder.CreateImage("kept");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/kept", image, "1");
        await using var wharf = await StartAsync(("Gc:GracePeriod", "00:01:00"), ("Gc:Enabled", "false")); // the test runs the cycles
        var own = await new Registry(wharf).PushBlobAsync("team/unreferenced", TestBlobs.Random(1000));
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/kept/manifests/1")).Body);
        foreach (var blob in image.BlobDigests)
        {
            await GetAsync(wharf, $"/v2/hub/kept/blobs/{blob}");
        }

        await FetchesStoredAsync(wharf);

        _time.Advance(TimeSpan.FromHours(2));
        var collector = wharf.Services.GetRequiredService<Wharf.Core.Services.Gc.GarbageCollector>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            await collector.RunCycleAsync(CancellationToken.None);
        }

        // Wharf's own blob that no manifest references is collected; the cache's, named by its cached manifest, are kept.
        var blobs = wharf.Services.GetRequiredService<Wharf.Core.Services.BlobService>();
        Assert.False((await blobs.StatAsync("team/unreferenced", Wharf.Core.Protocol.Digest.Parse(own), CancellationToken.None)).IsOk);
        foreach (var blob in image.BlobDigests)
        {
            Assert.True((await blobs.StatAsync("hub/kept", Wharf.Core.Protocol.Digest.Parse(blob), CancellationToken.None)).IsOk, $"{blob} was collected");
        }

        _up.Relay.Cut();
        foreach (var blob in image.BlobDigests)
        {
            Assert.Equal(blob, Digests.Sha256((await GetAsync(wharf, $"/v2/hub/kept/blobs/{blob}")).Body));
        }
    }

    [Fact]
    public async Task Mirror_mode_serves_unprefixed_pulls_from_the_default_upstream_and_ns_selects_one_without_shadowing_local_repositories()
    {
        var image = OciLayoutBuilder.CreateImage("busybox");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/busybox", image, "1");
        await using var wharf = await StartAsync(("Mirror:Default", "hub"), ("Mirror:Upstreams:1:Prefix", "ghcr"), ("Mirror:Upstreams:1:Url", _up.Relay.Url.ToString()), ("Mirror:Upstreams:1:Namespaces:0", "ghcr.io"));
        var registry = new Registry(wharf);
        var local = await registry.PushImageAsync("library/own", "v1");

        // dockerd's registry-mirrors: /v2/library/busybox/... with no prefix.
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/library/busybox/manifests/1")).Body);
        Assert.Equal(image.ConfigBytes, (await GetAsync(wharf, $"/v2/library/busybox/blobs/{image.ConfigDigest}")).Body);
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/library/busybox/manifests/1")).Body);

        // containerd's hosts.toml mirror: ?ns=ghcr.io picks the ghcr upstream.
        var before = _up.Relay.Requests.Count;
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/library/busybox/manifests/1?ns=ghcr.io")).Body);
        Assert.Contains(_up.Relay.Requests.Skip(before), r => r.StartsWith("GET /v2/library/busybox/manifests/1 ", StringComparison.Ordinal));
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/ghcr/library/busybox/manifests/1")).Body);

        // One of Wharf's own repositories is never shadowed by mirror mode.
        before = _up.Relay.Requests.Count;
        Assert.Equal(local.Manifest, (await GetAsync(wharf, "/v2/library/own/manifests/v1")).Body);
        Assert.Empty(_up.Relay.Requests.Skip(before));
    }

    [Fact]
    public async Task A_tag_moved_upstream_is_served_after_the_ttl_and_not_before()
    {
        var first = OciLayoutBuilder.CreateImage("one");
        var second = OciLayoutBuilder.CreateImage("two");
        await UpstreamSeed.PushImageAsync(_up.Seed, "team/app", first, "latest");
        await using var wharf = await StartAsync(("Mirror:Upstreams:0:TagTtl", "00:05:00"));
        Assert.Equal(first.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/app/manifests/latest")).Body);

        await UpstreamSeed.PushImageAsync(_up.Seed, "team/app", second, "latest");
        _time.Advance(TimeSpan.FromMinutes(4));
        var before = _up.Relay.Requests.Count;
        Assert.Equal(first.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/app/manifests/latest")).Body);
        Assert.Empty(_up.Relay.Requests.Skip(before));

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(second.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/app/manifests/latest")).Body);
        Assert.Contains(_up.Relay.Requests.Skip(before), r => r.StartsWith("HEAD /v2/team/app/manifests/latest ", StringComparison.Ordinal));

        // Unchanged upstream: one HEAD, no GET, after the next TTL.
        _time.Advance(TimeSpan.FromMinutes(6));
        before = _up.Relay.Requests.Count;
        Assert.Equal(second.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/app/manifests/latest")).Body);
        Assert.Equal(["HEAD /v2/team/app/manifests/latest HTTP/1.1"], _up.Relay.Requests.Skip(before));
    }

    [Fact]
    public async Task Concurrent_pulls_of_a_tag_past_its_ttl_send_one_HEAD_upstream()
    {
        var image = OciLayoutBuilder.CreateImage("popular");
        await UpstreamSeed.PushImageAsync(_up.Seed, "team/popular", image, "latest");
        await using var wharf = await StartAsync();
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/popular/manifests/latest")).Body);
        _time.Advance(TimeSpan.FromMinutes(6));
        var inFlight = wharf.Services.GetRequiredService<Wharf.Http.Health.DrainState>();

        // The upstream's answers are held until every pull is inside the server, past its TTL check.
        var before = _up.Relay.Requests.Count;
        _up.Relay.Hold(0);
        var pulls = Enumerable.Range(0, 10).Select(_ => GetAsync(wharf, "/v2/hub/team/popular/manifests/latest")).ToArray();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (inFlight.InFlight < pulls.Length || !_up.Relay.Requests.Skip(before).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{inFlight.InFlight} pulls in flight, upstream saw {string.Join(", ", _up.Relay.Requests.Skip(before))}");
            await Task.Delay(10);
        }

        _up.Relay.Open();
        Assert.All(await Task.WhenAll(pulls), p => Assert.Equal(image.ManifestBytes, p.Body));
        Assert.Equal(["HEAD /v2/team/popular/manifests/latest HTTP/1.1"], _up.Relay.Requests.Skip(before));
    }

    [Fact]
    public async Task A_tag_removed_upstream_is_unknown_after_the_ttl_while_its_manifest_by_digest_stays_served()
    {
        var image = OciLayoutBuilder.CreateImage("removed");
        var digest = await UpstreamSeed.PushImageAsync(_up.Seed, "team/removed", image, "1");
        await using var wharf = await StartAsync();
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/removed/manifests/1")).Body);

        using (var delete = await _up.Seed.DeleteAsync(new Uri($"v2/team/removed/manifests/{digest}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/team/removed/manifests/1")).Body);
        _time.Advance(TimeSpan.FromMinutes(6));
        using var gone = await wharf.Client.GetAsync(new Uri("/v2/hub/team/removed/manifests/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("MANIFEST_UNKNOWN", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, $"/v2/hub/team/removed/manifests/{digest}")).Body);
    }

    [Fact]
    public async Task With_the_upstream_down_a_stale_tag_is_served_with_a_warning_and_uncached_content_gets_unavailable()
    {
        var image = OciLayoutBuilder.CreateImage("cached");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/cached", image, "1");
        await using var wharf = await StartAsync();
        Assert.Equal(image.ManifestBytes, (await GetAsync(wharf, "/v2/hub/cached/manifests/1")).Body);

        _up.Relay.Cut();
        _time.Advance(TimeSpan.FromMinutes(10));
        using var stale = await wharf.Client.GetAsync(new Uri("/v2/hub/cached/manifests/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(image.ManifestBytes, await stale.Content.ReadAsByteArrayAsync());
        var warning = Assert.Single(stale.Headers.GetValues("Warning"));
        Assert.StartsWith("110 wharf \"upstream unavailable: ", warning, StringComparison.Ordinal);

        using var missing = await wharf.Client.GetAsync(new Uri("/v2/hub/cached/manifests/2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadGateway, missing.StatusCode);
        var body = await missing.Content.ReadAsStringAsync();
        Assert.Contains("\"UNAVAILABLE\"", body, StringComparison.Ordinal);
        Assert.Contains("upstream hub is unavailable", body, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), missing.Headers.RetryAfter?.Delta);

        using var blob = await wharf.Client.GetAsync(new Uri($"/v2/hub/cached/blobs/{image.LayerDigests[0]}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadGateway, blob.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), blob.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Unknown_upstream_content_is_unknown_and_pushes_into_a_cached_prefix_are_denied()
    {
        await using var wharf = await StartAsync();
        using var missing = await wharf.Client.GetAsync(new Uri("/v2/hub/nothing/manifests/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("MANIFEST_UNKNOWN", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var push = await wharf.Client.PostAsync(new Uri("/v2/hub/library/alpine/blobs/uploads/", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        Assert.Contains("DENIED", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_pulls_of_an_uncached_blob_cause_one_upstream_fetch_and_all_get_bytes_before_it_is_complete()
    {
        var size = BlobSize();
        var layer = TestBlobs.Random(size);
        var layerDigest = await UpstreamSeed.PushBlobAsync(_up.Seed, "library/big", layer);
        await using var wharf = await StartAsync();
        var blobs = wharf.Services.GetRequiredService<Wharf.Core.Services.BlobService>();

        // The upstream's answers stop after 1 MiB: every client must get its first bytes from that much.
        _up.Relay.Hold(1024 * 1024);
        var clients = Enumerable.Range(0, 20).Select(_ => new HttpClient { BaseAddress = wharf.BaseAddress, Timeout = Timeout.InfiniteTimeSpan }).ToArray();
        try
        {
            var responses = await Task.WhenAll(clients.Select(c => c.GetAsync(new Uri($"/v2/hub/big/blobs/{layerDigest}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead)));
            var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
            var firsts = await Task.WhenAll(bodies.Select(async b =>
            {
                var buffer = new byte[4096];
                return await b.ReadAsync(buffer);
            })).WaitAsync(TimeSpan.FromMinutes(1)); // Fails, rather than hangs, if clients waited for the whole blob.
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.All(responses, r => Assert.Equal(size, r.Content.Headers.ContentLength));
            Assert.All(firsts, n => Assert.True(n > 0));
            Assert.False(await blobs.IsStoredAsync(Wharf.Core.Protocol.Digest.Parse(layerDigest), CancellationToken.None), "the blob was stored before the upstream sent it whole");

            _up.Relay.Open();
            var hashes = await Task.WhenAll(bodies.Select(async (b, i) =>
            {
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                var buffer = new byte[256 * 1024];
                long total = firsts[i];
                hash.AppendData(layer, 0, firsts[i]);
                int read;
                while ((read = await b.ReadAsync(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    total += read;
                }

                Assert.Equal(size, total);
                return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
            }));
            Assert.All(hashes, h => Assert.Equal(layerDigest, h));
            Assert.Single(_up.Relay.Requests, r => r.StartsWith($"GET /v2/library/big/blobs/{layerDigest} ", StringComparison.Ordinal));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_blob_with_less_than_the_limit_to_come_leaves_the_fetch_to_complete_and_no_partial_blob()
    {
        var layer = TestBlobs.Random(4 * 1024 * 1024);
        var layerDigest = await UpstreamSeed.PushBlobAsync(_up.Seed, "library/drop", layer);
        using var temp = new TempDirectory("wharf-fetch-under");
        await using var wharf = await StartAsync(("Mirror:AbandonedFetchLimit", (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture)), ("Mirror:TempDirectory", temp.Path));
        var blobs = wharf.Services.GetRequiredService<Wharf.Core.Services.BlobService>();

        _up.Relay.Hold(512 * 1024);
        await ReadSomeAndLeaveAsync(wharf, $"/v2/hub/drop/blobs/{layerDigest}");

        Assert.False(await blobs.IsStoredAsync(Wharf.Core.Protocol.Digest.Parse(layerDigest), CancellationToken.None));
        _up.Relay.Open();
        await FetchesStoredAsync(wharf);
        Assert.True(await blobs.IsStoredAsync(Wharf.Core.Protocol.Digest.Parse(layerDigest), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(temp.Path));
        var later = await GetAsync(wharf, $"/v2/hub/drop/blobs/{layerDigest}");
        Assert.Equal(layer, later.Body);
        Assert.Single(_up.Relay.Requests, r => r.StartsWith($"GET /v2/library/drop/blobs/{layerDigest} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_blob_stored_after_the_handler_found_it_missing_is_served_from_storage_without_a_second_upstream_fetch()
    {
        var layer = TestBlobs.Random(64 * 1024);
        var layerDigest = await UpstreamSeed.PushBlobAsync(_up.Seed, "library/late", layer);
        await using var wharf = await StartAsync();
        var digest = Wharf.Core.Protocol.Digest.Parse(layerDigest);

        // As if the fetch before this request committed and left the single-flight map after the handler's lookup.
        using (var body = new MemoryStream(layer))
        {
            Assert.True((await wharf.Services.GetRequiredService<Wharf.Core.Services.UploadService>().PutMonolithicAsync("hub/late", digest, body, CancellationToken.None)).IsOk);
        }

        var name = wharf.Services.GetRequiredService<Wharf.Core.Mirror.MirrorNames>().Resolve("hub/late")!;
        var fetched = await wharf.Services.GetRequiredService<Wharf.Core.Mirror.PullThroughCache>().FetchBlobAsync(name, digest, CancellationToken.None);
        Assert.True(fetched.IsOk);
        await using (var content = fetched.Value.Content)
        {
            var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(layer, copy.ToArray());
        }

        Assert.DoesNotContain(_up.Relay.Requests, r => r.Contains("/blobs/", StringComparison.Ordinal));
        await FetchesStoredAsync(wharf); // nothing is left in the single-flight map
    }

    [Fact]
    public async Task A_fetch_every_client_left_with_more_than_the_limit_to_come_is_cancelled_and_its_temp_file_removed()
    {
        var layer = TestBlobs.Random(4 * 1024 * 1024);
        var layerDigest = await UpstreamSeed.PushBlobAsync(_up.Seed, "library/left", layer);
        using var temp = new TempDirectory("wharf-fetch-over");
        await using var wharf = await StartAsync(("Mirror:AbandonedFetchLimit", (1024 * 1024).ToString(CultureInfo.InvariantCulture)), ("Mirror:TempDirectory", temp.Path));
        var blobs = wharf.Services.GetRequiredService<Wharf.Core.Services.BlobService>();

        // The upstream holds back all but 512 KiB, so the fetch cannot end by itself: only a cancel removes its file.
        _up.Relay.Hold(512 * 1024);
        await ReadSomeAndLeaveAsync(wharf, $"/v2/hub/left/blobs/{layerDigest}");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (Directory.GetFiles(temp.Path).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the abandoned fetch's temp file is still there");
            await Task.Delay(10);
        }

        await FetchesStoredAsync(wharf);
        Assert.False(await blobs.IsStoredAsync(Wharf.Core.Protocol.Digest.Parse(layerDigest), CancellationToken.None));
        _up.Relay.Open();
        Assert.Equal(layer, (await GetAsync(wharf, $"/v2/hub/left/blobs/{layerDigest}")).Body);
        Assert.Equal(2, _up.Relay.Requests.Count(r => r.StartsWith($"GET /v2/library/left/blobs/{layerDigest} ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Temp_files_of_fetches_cut_by_a_crash_are_removed_at_start_and_recent_ones_kept()
    {
        using var temp = new TempDirectory("wharf-fetch-stale");
        var stale = temp.Combine("stale-fetch");
        var recent = temp.Combine("recent-fetch");
        await File.WriteAllBytesAsync(stale, [1, 2, 3]);
        await File.WriteAllBytesAsync(recent, [4, 5, 6]);
        File.SetLastWriteTimeUtc(stale, _time.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(32)); // FetchTimeout (30 min) and its minute of margin ago
        File.SetLastWriteTimeUtc(recent, _time.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(30)); // could still be a running fetch's

        await using var wharf = await StartAsync(("Mirror:TempDirectory", temp.Path), ("Mirror:FetchTimeout", "00:30:00"));

        Assert.False(File.Exists(stale), "the stale temp file survived the start");
        Assert.True(File.Exists(recent), "a temp file a running fetch may still write was removed");
    }

    /// <summary>Reads the first bytes of <paramref name="path"/> and closes the connection.</summary>
    private static async Task ReadSomeAndLeaveAsync(WharfTestServer wharf, string path)
    {
        using var client = new HttpClient { BaseAddress = wharf.BaseAddress };
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        Assert.True(await body.ReadAsync(new byte[1024]) > 0);
    }

    [Fact]
    public async Task Of_a_multi_platform_index_only_the_platform_pulled_is_fetched_and_the_metrics_count_hits_misses_and_bytes()
    {
        var amd64 = OciLayoutBuilder.CreateImage("multi", "amd64");
        var arm64 = OciLayoutBuilder.CreateImage("multi", "arm64");
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/multi", amd64, amd64.ManifestDigest);
        await UpstreamSeed.PushImageAsync(_up.Seed, "library/multi", arm64, arm64.ManifestDigest);
        var index = OciLayoutJson.Index([amd64, arm64]);
        await UpstreamSeed.PushManifestAsync(_up.Seed, "library/multi", "1", index, MediaTypes.OciIndex);
        await using var wharf = await StartAsync();

        var served = await GetAsync(wharf, "/v2/hub/multi/manifests/1");
        Assert.Equal(index, served.Body);
        Assert.Equal(arm64.ManifestBytes, (await GetAsync(wharf, $"/v2/hub/multi/manifests/{arm64.ManifestDigest}")).Body);
        foreach (var blob in arm64.BlobDigests)
        {
            Assert.Equal(blob, Digests.Sha256((await GetAsync(wharf, $"/v2/hub/multi/blobs/{blob}")).Body));
        }

        Assert.Equal(arm64.ConfigBytes, (await GetAsync(wharf, $"/v2/hub/multi/blobs/{arm64.ConfigDigest}")).Body);
        Assert.Equal(index, (await GetAsync(wharf, "/v2/hub/multi/manifests/1")).Body);

        var requested = _up.Relay.Requests;
        Assert.DoesNotContain(requested, r => r.Contains(amd64.ManifestDigest, StringComparison.Ordinal));
        Assert.DoesNotContain(requested, r => amd64.BlobDigests.Any(d => r.Contains(d, StringComparison.Ordinal)));
        Assert.Equal(arm64.BlobDigests.Count, requested.Count(r => r.Contains("/blobs/", StringComparison.Ordinal)));

        using var scrape = await wharf.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var metrics = Wharf.TestKit.Prometheus.PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());
        Assert.Equal(2, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=manifest", "result=miss"));
        Assert.Equal(1, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=manifest", "result=hit"));
        Assert.Equal(arm64.BlobDigests.Count, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=blob", "result=miss"));
        Assert.Equal(1, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=blob", "result=hit"));
        Assert.Equal(arm64.ConfigBytes.Length + arm64.Layers.Sum(l => l.Compressed.Length), metrics.Sum("wharf_mirror_upstream_bytes_total", "upstream=hub"));
    }

    [Fact]
    public async Task A_fetch_stored_before_the_request_that_started_it_opens_its_reader_counts_a_miss()
    {
        var blob = TestBlobs.Random(1024);
        var digest = Wharf.Core.Protocol.Digest.Parse(await UpstreamSeed.PushBlobAsync(_up.Seed, "library/quick", blob));
        await using var wharf = await StartAsync();
        var cache = wharf.Services.GetRequiredService<Wharf.Core.Mirror.PullThroughCache>();
        var name = wharf.Services.GetRequiredService<Wharf.Core.Mirror.MirrorNames>().Resolve("hub/quick")!;

        // The request starts the fetch and waits for its first bytes (the upstream's answers are held back meanwhile);
        // it resumes only after the fetch has stored the blob and left: the order a small blob's fetch can take.
        var context = new QueuedContext();
        _up.Relay.Hold(0);
        var request = context.Start(() => cache.FetchBlobAsync(name, digest, CancellationToken.None).AsTask());
        context.RunUntil(() => _up.Relay.Requests.Count > 0, TimeSpan.FromMinutes(1));
        Assert.False(request.IsCompleted);
        _up.Relay.Open();
        await FetchesStoredAsync(wharf);
        context.RunUntil(() => request.IsCompleted, TimeSpan.FromMinutes(1));

        var fetched = await request;
        Assert.True(fetched.IsOk);
        await using (var content = fetched.Value.Content)
        {
            var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(blob, copy.ToArray());
        }

        using var scrape = await wharf.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var metrics = Wharf.TestKit.Prometheus.PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());
        Assert.Equal(1, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=blob", "result=miss"));
        Assert.Equal(0, metrics.Sum("wharf_mirror_requests_total", "upstream=hub", "kind=blob", "result=hit"));
    }

    /// <summary>The large blob's size: <c>WHARF_TEST_MIRROR_BLOB_MIB</c> MiB, 256 by default (the issue's size; a few seconds).</summary>
    private static int BlobSize() =>
        int.Parse(Environment.GetEnvironmentVariable("WHARF_TEST_MIRROR_BLOB_MIB") ?? "256", CultureInfo.InvariantCulture) * 1024 * 1024;

    private Task<WharfTestServer> StartAsync(params (string Key, string Value)[] extra) => _up.StartCacheAsync(_time, extra);

    private static Task FetchesStoredAsync(WharfTestServer wharf) => CachedUpstream.FetchesStoredAsync(wharf);

    private static async Task<(byte[] Body, string? Digest)> GetAsync(WharfTestServer wharf, string path)
    {
        using var response = await wharf.Client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return (body, response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null);
    }
}
