using System.Globalization;
using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Prometheus;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// A real <c>docker push</c> (dockerd 20.10) to a Wharf with one webhook endpoint: the receiver gets Distribution's
/// notification, signed as documented, with the digest docker reports. Alone in the process: one test compares
/// <c>/metrics</c> before and after the push (<see cref="ScrapedMetricsCollection"/>).
/// </summary>
[Collection(ScrapedMetricsCollection.Name)]
public sealed class WebhookDockerTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("wharf-e2e-hooks");

    [Fact]
    public async Task Docker_push_sends_a_signed_distribution_push_event_with_the_digest_docker_reports()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var registry = new WharfRegistry(await WharfTestServer.StartAsync(WebhookSettings.For(receiver.Url)));
        var (docker, reference) = await LoadForPushAsync(registry, "hook", "hooks/docker");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var pushed = await docker.PushAsync(reference);

        await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(20));
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var image = await docker.InspectImageAsync(reference);
        Assert.Contains($"{registry.Authority}/hooks/docker@{pushed}", image.GetProperty("RepoDigests").EnumerateArray().Select(d => d.GetString()));
        using var http = new RegistryHttp(registry.BaseAddress);
        var served = await http.GetManifestAsync("hooks/docker", "v1");

        var delivery = Assert.Single(receiver.Received);
        Assert.Equal("/events", delivery.Path);
        Assert.Equal(Notification.MediaType, delivery.ContentType);
        var signedAt = SignatureCheck.Verify(WebhookSettings.Secret, delivery.Headers.GetValueOrDefault("Wharf-Signature"), delivery.Body);
        Assert.InRange(signedAt, before.AddSeconds(-1), after);

        using var body = JsonDocument.Parse(delivery.Body);
        var e = Assert.Single(body.RootElement.GetProperty("events").EnumerateArray());
        var id = e.GetProperty("id").GetString();
        Assert.True(Guid.TryParse(id, out _), $"event id {id} is not a UUID");
        Assert.Equal(id, delivery.Headers["Wharf-Event-Id"]);
        var timestamp = DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, before, after);
        Assert.Equal("push", e.GetProperty("action").GetString());

        var target = e.GetProperty("target");
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", target.GetProperty("mediaType").GetString());
        Assert.Equal(pushed, target.GetProperty("digest").GetString());
        Assert.Equal(served.Digest, pushed);
        Assert.Equal(served.Bytes.Length, target.GetProperty("size").GetInt64());
        Assert.Equal(served.Bytes.Length, target.GetProperty("length").GetInt64());
        Assert.Equal("hooks/docker", target.GetProperty("repository").GetString());
        Assert.Equal($"http://{registry.Authority}/v2/hooks/docker/manifests/{pushed}", target.GetProperty("url").GetString());
        Assert.Equal("v1", target.GetProperty("tag").GetString());

        var request = e.GetProperty("request");
        Assert.False(string.IsNullOrEmpty(request.GetProperty("id").GetString()), "request.id is empty");
        Assert.StartsWith("127.0.0.1", request.GetProperty("addr").GetString(), StringComparison.Ordinal);
        Assert.Equal(registry.Authority, request.GetProperty("host").GetString());
        Assert.Equal("PUT", request.GetProperty("method").GetString());
        Assert.Contains("docker", request.GetProperty("useragent").GetString(), StringComparison.OrdinalIgnoreCase);

        // An anonymous push: Distribution's actor object, without a name.
        Assert.Equal(JsonValueKind.Object, e.GetProperty("actor").ValueKind);
        Assert.False(e.GetProperty("actor").TryGetProperty("name", out _), "an anonymous push has no actor name");
        var source = e.GetProperty("source");
        Assert.Contains(":", source.GetProperty("addr").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(source.GetProperty("instanceID").GetString(), out _), "source.instanceID is not an instance id");
    }

    [Fact]
    public async Task Docker_push_moves_the_metrics_by_what_it_sent_and_counts_its_event_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var registry = new WharfRegistry(await WharfTestServer.StartAsync(WebhookSettings.For(receiver.Url)));
        var (docker, reference) = await LoadForPushAsync(registry, "metrics", "metrics/docker");
        using var scraper = new HttpClient { BaseAddress = registry.BaseAddress };
        var before = await ScrapeAsync(scraper);

        var pushed = await docker.PushAsync(reference);
        await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(20));

        // The dispatcher counts a delivery just after the receiver has answered: scraped again until it shows, briefly.
        var after = await ScrapeAsync(scraper);
        for (var i = 0; i < 200 && after.Sum("wharf_webhooks_deliveries_total", "result=success") < 1; i++)
        {
            await Task.Delay(50);
            after = await ScrapeAsync(scraper);
        }

        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        using var http = new RegistryHttp(registry.BaseAddress);
        var served = await http.GetManifestAsync("metrics/docker", "v1");
        Assert.Equal(pushed, served.Digest);
        using var manifest = JsonDocument.Parse(served.Bytes);
        var blobs = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("size").GetInt64())
            .Append(manifest.RootElement.GetProperty("config").GetProperty("size").GetInt64()).ToList();

        const string Duration = "http_server_request_duration_seconds_count";
        Assert.Equal(blobs.Sum(), Delta("wharf_blob_bytes_in_total"));
        Assert.Equal(blobs.Count, Delta(Duration, "wharf_route_family=v2.upload", "http_request_method=PUT", "http_response_status_code=201"));
        Assert.Equal(1, Delta(Duration, "wharf_route_family=v2.manifest", "http_request_method=PUT", "http_response_status_code=201"));
        Assert.Equal(0, Delta(Duration, "http_response_status_code=500"));
        Assert.Equal(0, after.Sum("wharf_uploads_in_flight"));
        Assert.Equal(1, Delta("wharf_webhooks_deliveries_total", $"endpoint={WebhookSettings.Endpoint}", "result=success"));
        Assert.Equal(0, Delta("wharf_webhooks_deliveries_total", "result=failure"));
    }

    /// <summary>An image built offline, loaded into dockerd and tagged <c>&lt;registry&gt;/&lt;repository&gt;:v1</c>, ready to push.</summary>
    private async Task<(DockerCli Docker, string Reference)> LoadForPushAsync(WharfRegistry registry, string name, string repository)
    {
        var docker = new DockerCli(engine, registry.ReadLog);
        var skopeo = new Skopeo(registry.ReadLog);
        var layout = OciLayoutBuilder.SingleArch(_temp.CreateSubdirectory(name), $"{name}-docker", dataBytes: 8 * 1024);
        var localName = $"wharf-e2e/{name}-{Guid.NewGuid():N}:v1";
        var archive = _temp.Combine($"{name}.tar");
        await skopeo.CopyAsync(layout.SkopeoReference, $"docker-archive:{archive}:{localName}");
        await docker.RunAsync("load", "--input", archive);
        var reference = $"{registry.Authority}/{repository}:v1";
        await docker.RunAsync("tag", localName, reference);
        await docker.RunAsync("rmi", localName);
        return (docker, reference);
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient scraper) =>
        PrometheusText.Parse(await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    public void Dispose() => _temp.Dispose();
}
