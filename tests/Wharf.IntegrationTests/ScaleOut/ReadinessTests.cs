using System.Diagnostics;
using System.Net;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// <c>/readyz</c> with a backing store gone (a relay in front of it is cut): 503 within <c>Health:Timeout</c> (plus
/// the request's own overhead), <c>/healthz</c> still 200, and ready again once the store is back.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class ReadinessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Readiness_fails_within_its_timeout_while_the_database_is_gone_and_recovers()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var relay = new TcpRelay("127.0.0.1", new Npgsql.NpgsqlConnectionStringBuilder(TestEngines.PostgreSql).Port);
        var via = new Npgsql.NpgsqlConnectionStringBuilder(TestEngines.PostgreSql) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var server = await WharfTestServer.StartAsync(WithTimeout(backend.SettingsVia(TestEngines.S3Endpoint, via)));

        await AssertAsync(server, "/readyz", HttpStatusCode.OK);
        relay.Cut();
        await AssertAsync(server, "/readyz", HttpStatusCode.ServiceUnavailable);
        await AssertAsync(server, "/healthz", HttpStatusCode.OK);
        relay.Restore();
        await AssertRecoversAsync(server);
    }

    [Fact]
    public async Task Readiness_fails_within_its_timeout_while_the_bucket_is_gone_and_recovers()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        var s3 = new Uri(TestEngines.S3Endpoint);
        await using var relay = new TcpRelay(s3.Host, s3.Port);
        await using var server = await WharfTestServer.StartAsync(WithTimeout(backend.SettingsVia($"http://127.0.0.1:{relay.Port}", TestEngines.PostgreSql)));

        await AssertAsync(server, "/readyz", HttpStatusCode.OK);
        relay.Cut();
        await AssertAsync(server, "/readyz", HttpStatusCode.ServiceUnavailable);
        await AssertAsync(server, "/healthz", HttpStatusCode.OK);
        relay.Restore();
        await AssertRecoversAsync(server);
    }

    private static Dictionary<string, string?> WithTimeout(Dictionary<string, string?> settings)
    {
        settings["Health:Timeout"] = Timeout.ToString();
        return settings;
    }

    private static async Task AssertAsync(WharfTestServer server, string path, HttpStatusCode expected)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await server.Client.GetAsync(path);
        var took = Stopwatch.GetElapsedTime(started);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.True(took < Timeout + Slack, $"{path} took {took}");
    }

    private static async Task AssertRecoversAsync(WharfTestServer server)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var probe = await server.Client.GetAsync("/readyz");
            if (probe.StatusCode == HttpStatusCode.OK || attempt == 40)
            {
                Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
                return;
            }

            await Task.Delay(250);
        }
    }
}
