using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Prometheus;

namespace Wharf.IntegrationTests.Metrics;

/// <summary>
/// <c>/metrics</c> parsed with a strict Prometheus text-format parser, before and after a push and a pull: every counter
/// moves by exactly what the requests did. One connection carries every request, so Kestrel has finished (and
/// recorded) each request before it reads the next one: no waiting for the counters to settle.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests
{
    private const string Duration = "http_server_request_duration_seconds_count";

    [Fact]
    public async Task A_push_and_a_pull_move_the_counters_by_exactly_what_they_did()
    {
        await using var server = await StartAsync();
        var registry = new Registry(server);
        var before = await ScrapeAsync(registry);

        var image = await registry.PushImageAsync("team/app", "v1");
        var layer = image.Layers[0];
        Assert.Equal(layer.Size, (await registry.GetBlobBytesAsync("team/app", layer.Digest)).Length);
        using (var manifest = await registry.GetAsync("/v2/team/app/manifests/v1", r => r.Headers.Accept.ParseAdd(MediaTypes.OciManifest)))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
            await manifest.Content.ReadAsByteArrayAsync();
        }

        var after = await ScrapeAsync(registry);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(image.Config.Size + layer.Size, Delta("wharf_blob_bytes_in_total"));
        Assert.Equal(layer.Size, Delta("wharf_blob_bytes_out_total"));
        Assert.Equal(2, Delta(Duration, "wharf_route_family=v2.blob", "http_request_method=HEAD", "http_response_status_code=404"));
        Assert.Equal(2, Delta(Duration, "wharf_route_family=v2.upload", "http_request_method=POST", "http_response_status_code=202"));
        Assert.Equal(2, Delta(Duration, "wharf_route_family=v2.upload", "http_request_method=PUT", "http_response_status_code=201"));
        Assert.Equal(1, Delta(Duration, "wharf_route_family=v2.manifest", "http_request_method=PUT", "http_response_status_code=201"));
        Assert.Equal(1, Delta(Duration, "wharf_route_family=v2.manifest", "http_request_method=GET", "http_response_status_code=200"));
        Assert.Equal(1, Delta(Duration, "wharf_route_family=v2.blob", "http_request_method=GET", "http_response_status_code=200"));
        Assert.Equal(1, Delta(Duration, "wharf_route_family=metrics", "http_request_method=GET", "http_response_status_code=200"));
        Assert.Equal(0, after.Sum("wharf_uploads_in_flight"));

        var driver = ScaleOutBackend.Requested ? "s3" : "filesystem";
        var storage = Operations(after, "wharf_storage_operation_duration_seconds_count", $"driver={driver}");
        Assert.True(storage.GetValueOrDefault("stat") >= 1, string.Join(", ", storage));
        var metadata = Operations(after, "wharf_metadata_operation_duration_seconds_count", "store=uploads");
        Assert.True(metadata.GetValueOrDefault("create") >= 2, string.Join(", ", metadata));
        Assert.True(metadata.GetValueOrDefault("get") >= 2, string.Join(", ", metadata));
        Assert.Equal(0, after.Sum("wharf_storage_operation_errors_total") + after.Sum("wharf_metadata_operation_errors_total"));

        Assert.Equal(3, after.Samples("wharf_gc_queue_depth").Count());
        Assert.Single(after.Samples("wharf_gc_reclaimed_bytes_total"));
        Assert.Contains(after.Families.Keys, name => name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(after.Families.Keys, name => name.StartsWith("kestrel_", StringComparison.Ordinal));

        // Nothing names a repository: the endpoint is safe to leave open.
        Assert.DoesNotContain(after.Families.Values.SelectMany(f => f.Samples).SelectMany(s => s.Labels.Values), value => value.Contains("team", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sign_ins_are_counted_by_result()
    {
        await using var server = await StartAsync(AuthSettings.For("basic"));
        await server.AddUserAsync("alice", "alice-password");
        var registry = new Registry(server);
        var before = await ScrapeAsync(registry);
        using (var bad = await registry.GetAsync("/v2/", r => r.Headers.Authorization = Accounts.Basic("alice", "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
            await bad.Content.ReadAsByteArrayAsync();
        }

        using (var good = await registry.GetAsync("/v2/", r => r.Headers.Authorization = Accounts.Basic("alice", "alice-password")))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        var after = await ScrapeAsync(registry);
        Assert.Equal(1, after.Sum("wharf_auth_logins_total", "result=failure") - before.Sum("wharf_auth_logins_total", "result=failure"));
        Assert.Equal(1, after.Sum("wharf_auth_logins_total", "result=success") - before.Sum("wharf_auth_logins_total", "result=success"));
    }

    [Fact]
    public async Task A_request_in_progress_is_active_and_ends_counted_with_its_status()
    {
        await using var server = await StartAsync();
        var registry = new Registry(server);
        var location = await registry.StartUploadAsync("team/app");
        var release = new TaskCompletionSource();
        using var uploader = new HttpClient { BaseAddress = server.BaseAddress };
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new TwoPartContent(new byte[4096], 1024, release.Task) };
        patch.Content.Headers.ContentType = new("application/octet-stream");
        var patched = uploader.SendAsync(patch);

        // The PATCH is on the server once its first bytes are: asked again until the scrape shows it, for a few seconds.
        var during = await ScrapeUntilAsync(registry, s => s.Sum("http_server_active_requests", "http_request_method=PATCH") >= 1);

        Assert.Equal(1, during.Sum("http_server_active_requests", "http_request_method=PATCH", "url_scheme=http"));
        Assert.Equal(1, during.Sum("wharf_uploads_in_flight"));
        Assert.Equal(1, during.Sum("http_server_active_requests", "http_request_method=GET")); // the scrape itself
        Assert.Equal(0, during.Sum(Duration, "http_request_method=PATCH"));

        release.SetResult();
        using (var response = await patched)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var after = await ScrapeUntilAsync(registry, s => s.Sum(Duration, "http_request_method=PATCH") >= 1);

        Assert.Equal(1, after.Sum(Duration, "wharf_route_family=v2.upload", "http_request_method=PATCH", "http_response_status_code=202"));
        Assert.Equal(0, after.Sum("http_server_active_requests", "http_request_method=PATCH"));
        Assert.Equal(0, after.Sum("wharf_uploads_in_flight"));
    }

    [Fact]
    public async Task A_method_outside_the_standard_ones_is_labelled_other_and_never_by_its_name()
    {
        await using var server = await StartAsync();
        var registry = new Registry(server);
        using (var brew = await registry.SendAsync(new HttpMethod("BREW"), "/v2/team/app/manifests/v1", [], null))
        {
            Assert.True((int)brew.StatusCode >= 400, brew.StatusCode.ToString());
        }

        var scrape = await ScrapeAsync(registry);
        Assert.Equal(1, scrape.Sum(Duration, "wharf_route_family=v2.manifest", "http_request_method=_OTHER"));
        Assert.DoesNotContain(scrape.Families.Values.SelectMany(f => f.Samples).SelectMany(s => s.Labels.Values), value => value.Contains("BREW", StringComparison.Ordinal));

        // ASP.NET Core's own request instruments are replaced, not doubled: every request series is Wharf's.
        Assert.All(scrape.Samples(Duration), s => Assert.Equal("Wharf", s.Labels["otel_scope_name"]));
        Assert.All(scrape.Samples("http_server_active_requests"), s => Assert.Equal("Wharf", s.Labels["otel_scope_name"]));
    }

    [Fact]
    public async Task Metrics_off_serves_no_scrape_endpoint()
    {
        await using var server = await StartAsync(Settings.Of(("Metrics:Enabled", "false")));
        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task With_a_port_of_its_own_the_scrape_is_served_there_and_not_on_the_main_port()
    {
        var (server, port) = await StartOnFreeScrapePortAsync();
        await using var owned = server;
        using (var main = await server.Client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.NotFound, main.StatusCode);
        }

        // The 404 is counted when its request ends on the server, which may come just after the client has its answer:
        // the scrape (another connection) is asked again until it shows, for at most a few seconds.
        using var own = new HttpClient();
        double counted = 0;
        for (var attempt = 0; attempt < 200 && counted < 1; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            }

            var scrape = PrometheusText.Parse(await own.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
            counted = scrape.Sum(Duration, "wharf_route_family=metrics", "http_response_status_code=404");
        }

        Assert.Equal(1, counted);
    }

    [Theory]
    [InlineData("Metrics:Path", "/v2/metrics")]
    [InlineData("Metrics:Path", "/api/metrics")]
    [InlineData("Metrics:Path", "metrics")]
    [InlineData("Metrics:Listen", "127.0.0.1:0")]
    [InlineData("Metrics:Listen", "no port")]
    public void Bad_metrics_settings_stop_the_server_before_it_starts(string key, string value)
    {
        using var data = new TempDirectory("wharf-metrics-options");
        var settings = new Dictionary<string, string?> { [key] = value, ["Data"] = data.Path, ["Listen"] = "127.0.0.1:0" };
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Wharf.Hosting.WharfHost.Build(Wharf.Hosting.WharfConfiguration.Build(null, settings)));
        Assert.Contains("Metrics", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A server whose scrape port is a free one; another test may take a probed port before the bind, so a few tries.</summary>
    private static async Task<(WharfTestServer Server, int Port)> StartOnFreeScrapePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            try
            {
                return (await StartAsync(Settings.Of(("Metrics:Listen", $"127.0.0.1:{port}"))), port);
            }
            catch (IOException e) when (attempt < 5 && e.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Dictionary<string, double> Operations(PrometheusText scrape, string name, string label) =>
        scrape.Samples(name, label).ToDictionary(s => s.Labels["operation"], s => s.Value, StringComparer.Ordinal);

    private static Task<WharfTestServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Blobs:Delivery"] = "Proxy" };
        return WharfTestServer.StartAsync(all, handler: new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
    }

    /// <summary>Scrapes until <paramref name="done"/> holds, for a few seconds at most (a request ends on the server just after its client has the answer); the last scrape.</summary>
    private static async Task<PrometheusText> ScrapeUntilAsync(Registry registry, Func<PrometheusText, bool> done)
    {
        var scrape = await ScrapeAsync(registry);
        for (var attempt = 0; attempt < 200 && !done(scrape); attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            scrape = await ScrapeAsync(registry);
        }

        return scrape;
    }

    private static async Task<PrometheusText> ScrapeAsync(Registry registry)
    {
        using var response = await registry.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return PrometheusText.Parse(text);
        }
        catch (FormatException e)
        {
            Assert.Fail(e.Message + "\n" + text);
            throw;
        }
    }
}
