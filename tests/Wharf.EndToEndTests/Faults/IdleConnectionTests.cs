using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Wharf.EndToEndTests.Cli;
using Xunit.Abstractions;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// Many idle connections (half never send a byte, half stay open after one request) to an out-of-process server:
/// its resident memory grows by less than one 64 KiB receive block per connection (at least 64 MiB for the default
/// thousand; about 16 KiB each was measured) and a normal client pushes and pulls meanwhile. The number comes from
/// <c>WHARF_TEST_IDLE_CONNECTIONS</c> (default 1,000).
/// </summary>
public sealed class IdleConnectionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PushPullDeadline = TimeSpan.FromSeconds(20);

    private static long MemoryBound => Math.Max(64L << 20, Connections * (64L << 10));

    private static int Connections =>
        int.TryParse(Environment.GetEnvironmentVariable("WHARF_TEST_IDLE_CONNECTIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1000;

    [Fact]
    public async Task A_thousand_idle_connections_keep_memory_bounded_and_other_clients_served()
    {
        // Long timeouts, so that every connection is still open while memory is measured.
        await using var server = await ServerUnderStress.StartAsync(new Dictionary<string, string>
        {
            ["RequestHeadersTimeout"] = "00:05:00",
            ["KeepAliveTimeout"] = "00:05:00",
        });
        await PushAndPullAsync(server.Client, "warm/up");
        var before = server.ResidentBytes();

        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var socket = await server.ConnectAsync();
                sockets.Add(socket);
                if (i % 2 == 1)
                {
                    await socket.SendAsync(server.Head("GET", "/v2/"));
                }
            }

            var buffer = new byte[4096];
            foreach (var socket in sockets.Where((_, i) => i % 2 == 1))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
            }

            var clock = Stopwatch.StartNew();
            await PushAndPullAsync(server.Client, "while/idle");
            var pushPull = clock.Elapsed;
            var during = server.ResidentBytes();
            var open = server.OpenFiles();
            output.WriteLine($"{Connections} idle connections: RSS {before >> 20} MiB before, {during >> 20} MiB with them ({(during - before) >> 10} KiB more, {(during - before) / Connections} bytes each); {open} descriptors; push and pull took {pushPull.TotalMilliseconds:F0} ms");

            Assert.True(pushPull < PushPullDeadline, $"push and pull took {pushPull}");
            Assert.True(during - before < MemoryBound, $"RSS grew by {(during - before) >> 20} MiB with {Connections} idle connections");
            Assert.True(open >= Connections, $"only {open} descriptors: the server dropped idle connections it should have kept");
            Assert.All(sockets, s => Assert.False(s.Poll(0, SelectMode.SelectRead) && s.Available == 0, "a connection was closed early"));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static async Task PushAndPullAsync(HttpClient client, string repository)
    {
        var image = await RawPush.ImageAsync(client, repository, "v1", layerSize: 4 << 20);
        using var manifest = await client.GetAsync(new Uri($"/v2/{repository}/manifests/v1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        var layer = await client.GetByteArrayAsync(new Uri($"/v2/{repository}/blobs/{image.Layer}", UriKind.Relative));
        Assert.Equal(image.Blobs[image.Layer], layer);
    }
}
