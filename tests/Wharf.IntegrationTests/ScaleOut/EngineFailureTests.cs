using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// One engine at a time becomes unreachable (a relay in front of it is cut): requests that need it answer
/// 503 UNAVAILABLE quickly, and everything works again, with nothing committed lost, once it is back.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class EngineFailureTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task With_the_database_unreachable_requests_get_503_and_recover()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var relay = new TcpRelay("127.0.0.1", PostgresPort());
        var via = RelayedConnectionString(relay.Port);
        await using var server = await WharfTestServer.StartAsync(backend.SettingsVia(TestEngines.S3Endpoint, via));
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("keep/app", "v1");

        relay.Cut();
        await AssertUnavailableAsync(registry, "/v2/keep/app/manifests/v1");
        await AssertUnavailableAsync(registry, $"/v2/keep/app/blobs/{image.Config.Digest}");
        using (var push = await registry.SendAsync(HttpMethod.Post, "/v2/keep/app/blobs/uploads/", [], null))
        {
            await AssertUnavailableAsync(push);
        }

        relay.Restore();
        await AssertRecoversAsync(registry, image);
    }

    [Fact]
    public async Task With_the_bucket_unreachable_blob_requests_get_503_and_recover()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        var s3 = new Uri(TestEngines.S3Endpoint);
        await using var relay = new TcpRelay(s3.Host, s3.Port);
        await using var server = await WharfTestServer.StartAsync(backend.SettingsVia($"http://127.0.0.1:{relay.Port}", TestEngines.PostgreSql));
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("keep/app", "v1");

        relay.Cut();
        await AssertUnavailableAsync(registry, $"/v2/keep/app/blobs/{image.Layers[0].Digest}");
        var blob = TestBlobs.Random(5000);
        var location = await registry.StartUploadAsync("keep/app");
        using (var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob, MediaTypes.OctetStream))
        {
            await AssertUnavailableAsync(put);
        }

        relay.Restore();
        await AssertRecoversAsync(registry, image);
        Assert.Equal(Digests.Sha256(blob), await registry.PushBlobAsync("keep/app", blob));
    }

    private static async Task AssertUnavailableAsync(Registry registry, string url)
    {
        var started = DateTime.UtcNow;
        using var response = await registry.GetAsync(url);
        await AssertUnavailableAsync(response);
        Assert.True(DateTime.UtcNow - started < Quick, $"503 took {DateTime.UtcNow - started}");
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("UNAVAILABLE", body, StringComparison.Ordinal);
    }

    private static async Task AssertRecoversAsync(Registry registry, PushedImage image)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var probe = await registry.GetAsync("/v2/keep/app/manifests/v1");
            if (probe.StatusCode == HttpStatusCode.OK || attempt == 20)
            {
                Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
                Assert.Equal(image.Manifest, await probe.Content.ReadAsByteArrayAsync());
                break;
            }

            await Task.Delay(250);
        }

        foreach (var layer in image.Layers.Append(image.Config))
        {
            Assert.Equal(layer.Size, (await registry.GetBlobBytesAsync("keep/app", layer.Digest)).Length);
        }

        await registry.PushImageAsync("keep/app", "v2");
    }

    private static int PostgresPort() => new Npgsql.NpgsqlConnectionStringBuilder(TestEngines.PostgreSql).Port;

    private static string RelayedConnectionString(int port) =>
        new Npgsql.NpgsqlConnectionStringBuilder(TestEngines.PostgreSql) { Host = "127.0.0.1", Port = port }.ConnectionString;
}
