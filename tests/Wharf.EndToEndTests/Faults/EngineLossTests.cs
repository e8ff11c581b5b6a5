using System.Diagnostics;
using Wharf.EndToEndTests.Cli;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// An engine goes away while images are being pushed and comes back: PostgreSQL (a private cluster, fast shutdown then
/// start) and the S3 gateway (a private radosgw, killed then started). Meanwhile requests that need it answer 503 with
/// <c>Retry-After</c> and the spec envelope, never a 500; afterwards Wharf recovers without a restart, pushes that got a
/// 503 succeed when retried, and every image acknowledged before, during and after the outage pulls back byte-identical.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class EngineLossTests
{
    /// <summary>How many images are pushed while the engine goes and comes back (WHARF_TEST_FAULT_PUSHES; the default fits CI).</summary>
    private static readonly int Pushes = int.TryParse(Environment.GetEnvironmentVariable("WHARF_TEST_FAULT_PUSHES"), out var n) ? n : 12;

    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PostgreSQL_restarted_during_pushes_gives_503_with_Retry_After_and_loses_no_acknowledged_image()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var data = new TempDirectory("wharf-fault-data");
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Driver"] = "FileSystem",
            ["Metadata:Driver"] = "PostgreSql",
            ["Metadata:PostgreSql:ConnectionString"] = postgres.ConnectionString,
        }, dataDirectory: data.Path);

        await PushThroughOutageAsync(server, "keep/app", $"/v2/keep/app/manifests/before", postgres.StopAsync, postgres.StartAgainAsync);
    }

    [Fact]
    public async Task After_a_PostgreSQL_restart_the_pooled_connections_it_broke_fail_at_most_one_request()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        using var data = new TempDirectory("wharf-fault-data");
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Driver"] = "FileSystem",
            ["Metadata:Driver"] = "PostgreSql",
            ["Metadata:PostgreSql:ConnectionString"] = postgres.ConnectionString,
        }, dataDirectory: data.Path);
        // Eight uploads at once leave up to eight connections in the pool, each of which the restart ends.
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => StartUploadAsync(server))), status => Assert.Equal(202, status));

        await postgres.StopAsync();
        await postgres.StartAgainAsync();
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await StartUploadAsync(server)); // a database write every time (a new session row): no cache answers it
        }

        // The first use of a connection the restart ended fails (503) and empties the pool: no broken one is used again.
        var shown = string.Join(",", statuses);
        Assert.True(statuses.Count(s => s == 503) <= 1, shown);
        Assert.True(statuses.Skip(1).All(s => s == 202), shown);
    }

    private static async Task<int> StartUploadAsync(WharfTestServer server)
    {
        using var response = await server.Client.PostAsync(new Uri("/v2/keep/app/blobs/uploads/", UriKind.Relative), new ByteArrayContent([]));
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task The_S3_gateway_killed_and_started_during_pushes_gives_503_with_Retry_After_and_loses_no_acknowledged_image()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var gateway = new PrivateRadosGateway();
        await gateway.StartAsync();
        await using var server = await WharfTestServer.StartAsync(backend.SettingsVia(gateway.Endpoint, TestEngines.PostgreSql));

        await PushThroughOutageAsync(server, "keep/app", null, gateway.KillAsync, gateway.StartAsync);
    }

    /// <summary>
    /// Pushes one image, then keeps pushing in the background while <paramref name="stop"/> takes the engine away; checks
    /// the outage answers (a pull of the first image's manifest when <paramref name="manifestUrl"/> needs the engine, and
    /// always its layer and a monolithic blob push), brings the engine back, and checks every acknowledged image.
    /// </summary>
    private static async Task PushThroughOutageAsync(WharfTestServer server, string repository, string? manifestUrl, Func<Task> stop, Func<Task> start)
    {
        var pusher = new RetryingPusher(server.Client, repository);
        var before = await pusher.PushAsync("before");
        var acknowledged = new List<RawImage> { before };
        using var stopPushing = new CancellationTokenSource();
        var background = Task.Run(async () =>
        {
            var pushed = new List<RawImage>();
            for (var i = 0; i < Pushes || !stopPushing.IsCancellationRequested; i++)
            {
                pushed.Add(await pusher.PushAsync($"during-{i}"));
            }

            return pushed;
        });

        await stop();
        if (manifestUrl is not null)
        {
            await AssertUnavailableQuicklyAsync(server, HttpMethod.Get, manifestUrl);
        }

        await AssertUnavailableQuicklyAsync(server, HttpMethod.Get, $"/v2/{repository}/blobs/{before.Layer}");
        var blob = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1000);
        await AssertUnavailableQuicklyAsync(server, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={RawPush.Sha256(blob)}", blob);

        await start();
        await stopPushing.CancelAsync();
        acknowledged.AddRange(await background);
        acknowledged.Add(await pusher.PushAsync("after"));

        Assert.True(pusher.Unavailable > 0, "no push met the outage");
        foreach (var image in acknowledged)
        {
            await pusher.AssertPullsAsync(image);
        }
    }

    private static async Task AssertUnavailableQuicklyAsync(WharfTestServer server, HttpMethod method, string url, byte[]? body = null)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = body is null ? null : new ByteArrayContent(body) };
        using var response = await server.Client.SendAsync(request);
        await RetryingPusher.AssertUnavailableAsync(response);
        Assert.True(clock.Elapsed < Quick, $"{method} {url}: 503 took {clock.Elapsed}");
    }
}
