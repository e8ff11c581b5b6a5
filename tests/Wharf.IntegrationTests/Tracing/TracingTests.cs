using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Tracing;

/// <summary>
/// Tracing end to end: a Wharf server exporting to a real OTLP/HTTP receiver on this machine; and, off (the default),
/// no span at all.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class TracingTests
{
    private const string Repository = "traced/app";

    [Fact]
    public async Task A_push_and_a_pull_reach_an_OTLP_receiver_as_request_storage_and_metadata_spans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var server = await WharfTestServer.StartAsync(Settings.Of(
            ("Tracing:Enabled", "true"),
            ("Tracing:Endpoint", receiver.BaseAddress.ToString()),
            ("Tracing:ServiceName", "wharf-under-test"),
            ("Tracing:Headers:X-Collector-Key", "key-123"),
            ("Blobs:Delivery", "Proxy")),
            handler: new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        PushedImage image;
        try
        {
            image = await PushAndPullAsync(new Registry(server));
            Assert.True(server.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        }
        finally
        {
            // ForceFlush may return while its batch is still on the wire; stopping Wharf shuts the tracer provider
            // down, which waits until the last export has been answered.
            await server.DisposeAsync();
        }

        var export = Assert.Single(receiver.Exports.Select(e => (e.Path, e.ContentType, Key: e.Headers.GetValueOrDefault("X-Collector-Key"))).Distinct());
        Assert.Equal(("/v1/traces", "application/x-protobuf", "key-123"), export);
        var spans = receiver.Spans().Where(s => s.ServiceName == "wharf-under-test").ToList();
        var names = spans.Select(s => s.Name).ToHashSet();

        var pull = Assert.Single(spans, s => s.Attribute("wharf.request_id") == "pull-manifest-42");
        Assert.Equal("GET v2.manifest", pull.Name);
        Assert.Equal(2, pull.Kind); // SPAN_KIND_SERVER
        Assert.Equal("v2.manifest", pull.Attribute("wharf.route_family"));
        Assert.Equal(Repository, pull.Attribute("wharf.repository"));
        Assert.Equal("200", pull.Attribute("http.response.status_code"));

        // The manifest PUT checks its blobs in storage and writes the manifest in metadata, both inside the request's span.
        var put = Assert.Single(spans, s => s.Name == "PUT v2.manifest");
        var children = spans.Where(s => s.ParentSpanId == put.SpanId).ToList();
        var stat = Assert.Single(children, s => s.Name == "storage.stat" && s.Attribute("wharf.storage.path") == StorageLayout.Blob(Wharf.Core.Protocol.Digest.Parse(image.Layers[0].Digest)));
        Assert.Equal(ScaleOutBackend.Requested ? "s3" : "filesystem", stat.Attribute("wharf.storage.driver"));
        Assert.Equal(WharfTracing.SourceName, stat.Scope);
        var write = Assert.Single(children, s => s.Name == "metadata.manifests.put");
        Assert.Equal(Repository, write.Attribute("wharf.repository"));
        Assert.Equal("v1", write.Attribute("wharf.tag"));
        Assert.All(children, s => Assert.Equal(put.TraceId, s.TraceId));

        Assert.Contains("POST v2.upload", names);
        Assert.Contains("PUT v2.upload", names);
        Assert.Contains("GET v2.blob", names);
        Assert.Contains("metadata.uploads.create", names);
        if (ScaleOutBackend.Requested)
        {
            // The S3 driver's own requests (to the test bucket) are client spans of the outgoing-HTTP source.
            Assert.Contains(spans, s => s.Kind == 3 && s.Scope == "System.Net.Http" && (s.Attribute("url.full") ?? "").Contains($"/{ScaleOutBackend.Bucket}/", StringComparison.Ordinal));
        }

        // Repositories are attributes, never part of a span name; and the exporter's own requests are not traced.
        Assert.DoesNotContain(names, n => n.Contains("traced", StringComparison.Ordinal));
        Assert.DoesNotContain(receiver.Spans(), s => (s.Attribute("url.full") ?? "").Contains("/v1/traces", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Over_grpc_the_spans_reach_the_receivers_TraceService()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: true);
        var server = await WharfTestServer.StartAsync(Settings.Of(
            ("Tracing:Enabled", "true"),
            ("Tracing:Endpoint", receiver.BaseAddress.ToString()),
            ("Tracing:Protocol", "grpc"),
            ("Tracing:Headers:X-Collector-Key", "key-456")));
        try
        {
            using var response = await server.Client.GetAsync($"/v2/{Repository}/manifests/v1");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.All(receiver.Exports, e => Assert.Equal((OtlpReceiver.GrpcExportPath, "application/grpc", "key-456"), (e.Path, e.ContentType, e.Headers.GetValueOrDefault("X-Collector-Key"))));
        var names = receiver.Spans().Where(s => s.ServiceName == "wharf").Select(s => s.Name).ToList();
        Assert.Contains("metadata.manifests.get_by_tag", names);
    }

    [Fact]
    public async Task Off_by_default_no_listener_is_registered_and_a_push_makes_no_Wharf_span()
    {
        var seen = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WharfTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = span => seen.Enqueue(span.DisplayName),
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await WharfTestServer.StartAsync();

        await new Registry(server).PushImageAsync(Repository, "v1");

        Assert.Empty(seen);
        Assert.Null(server.Services.GetService<TracerProvider>());
        Assert.IsNotType<TracedStorageDriver>(server.Services.GetRequiredService<IStorageDriver>());
    }

    [Fact]
    public async Task With_metrics_and_tracing_off_the_stores_are_not_wrapped_at_all()
    {
        await using var server = await WharfTestServer.StartAsync(Settings.Of(("Metrics:Enabled", "false")));

        var driver = server.Services.GetRequiredService<IStorageDriver>();
        // The small-blob store is where bytes live (filesystem + SQLite), not a measuring wrapper.
        Assert.Contains(driver.GetType().Name, new[] { "FileSystemDriver", "S3Driver", "InlineBlobStorage" });
        Assert.DoesNotContain("Traced", server.Services.GetRequiredService<Wharf.Core.Metadata.IManifestReader>().GetType().Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tracing:SampleRatio", "1.5", "Tracing:SampleRatio")]
    [InlineData("Tracing:SampleRatio", "-0.1", "Tracing:SampleRatio")]
    [InlineData("Tracing:Protocol", "thrift", "Tracing:Protocol")]
    [InlineData("Tracing:Endpoint", "collector:4318", "Tracing:Endpoint")]
    [InlineData("Tracing:Endpoint", "ftp://collector", "Tracing:Endpoint")]
    [InlineData("Tracing:ServiceName", "", "Tracing:ServiceName")]
    [InlineData("Tracing:Headers:Bad Name", "x", "Tracing:Headers:Bad Name")]
    [InlineData("Tracing:Endpiont", "http://collector:4318", "Tracing:Endpoint")]
    public void Bad_tracing_settings_stop_the_server_before_it_starts_naming_the_key(string key, string value, string named)
    {
        var error = BuildFails((key, value), ("Tracing:Enabled", "true"), ("Tracing:Endpoint", key == "Tracing:Endpoint" ? value : "http://127.0.0.1:4318"));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enabled_without_an_endpoint_is_refused_naming_the_key()
    {
        var error = BuildFails(("Tracing:Enabled", "true"));
        Assert.Contains("Tracing:Endpoint is required", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Pushes an image and pulls its manifest (with a request id of the test's choosing) and a layer. One connection
    /// carries every request, so Kestrel has ended each request (and its span) before it reads the next; a last
    /// cheap request ends the layer GET's.
    /// </summary>
    private static async Task<PushedImage> PushAndPullAsync(Registry registry)
    {
        var image = await registry.PushImageAsync(Repository, "v1");
        using (var manifest = await registry.GetAsync($"/v2/{Repository}/manifests/v1", r =>
        {
            r.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            r.Headers.Add("X-Request-Id", "pull-manifest-42");
        }))
        {
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        }

        Assert.Equal(image.Layers[0].Size, (await registry.GetBlobBytesAsync(Repository, image.Layers[0].Digest)).Length);
        using (var last = await registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        }

        return image;
    }

    private static Microsoft.Extensions.Options.OptionsValidationException BuildFails(params (string Key, string Value)[] pairs)
    {
        using var data = new TempDirectory("wharf-tracing-options");
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Data"] = data.Path, ["Listen"] = "127.0.0.1:0" };
        foreach (var (key, value) in pairs)
        {
            settings.TryAdd(key, value);
        }

        return Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Wharf.Hosting.WharfHost.Build(Wharf.Hosting.WharfConfiguration.Build(null, settings)));
    }
}
