using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// Slow and vanishing clients against an out-of-process server with short limits (1–2 s): each connection is
/// closed in time, no file descriptor outlives it, and the server goes on serving.
/// </summary>
public sealed class SlowClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static readonly Dictionary<string, string> ShortLimits = new()
    {
        ["RequestHeadersTimeout"] = "00:00:01",
        ["KeepAliveTimeout"] = "00:00:02",
        ["MinRequestBodyDataRate"] = "10000",
        ["MinResponseDataRate"] = "10000",
        ["DataRateGracePeriod"] = "00:00:02",
    };

    [Fact]
    public async Task Headers_trickled_slower_than_the_headers_timeout_get_the_connection_closed()
    {
        await using var server = await ServerUnderStress.StartAsync(ShortLimits);
        using var socket = await server.ConnectAsync();
        var clock = Stopwatch.StartNew();
        using var trickling = new CancellationTokenSource();

        // One header byte every 100 ms: the headers would take minutes to arrive.
        var trickle = TrickleAsync(socket, "GET /v2/ HTTP/1.1\r\nX-Slow: " + new string('a', 10_000), TimeSpan.FromMilliseconds(100), trickling.Token);
        var answer = await ServerUnderStress.ReadUntilClosedAsync(socket, Deadline);
        await trickling.CancelAsync();
        await trickle;

        // The 1 s headers timeout is checked on Kestrel's 1 s heartbeat; the upper bound leaves room for a loaded machine.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
        using var ping = await server.Client.GetAsync(new Uri("/v2/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Idle_keep_alive_connections_are_closed_after_the_keep_alive_timeout()
    {
        await using var server = await ServerUnderStress.StartAsync(ShortLimits);
        var sockets = new List<Socket>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var socket = await server.ConnectAsync();
            await socket.SendAsync(server.Head("GET", "/v2/"));
            sockets.Add(socket);
        }

        var answers = await Task.WhenAll(sockets.Select(s => ServerUnderStress.ReadUntilClosedAsync(s, Deadline)));

        // Each was answered, then kept open for the 2 s keep-alive timeout (checked on Kestrel's 1 s heartbeat), then closed.
        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 200", a, StringComparison.Ordinal));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), Deadline);
        sockets.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_patch_body_below_the_minimum_rate_ends_and_the_upload_stays_usable_with_no_file_left_open()
    {
        await using var server = await ServerUnderStress.StartAsync(ShortLimits);
        var baseline = await SettledOpenFilesAsync(server);
        var location = await StartUploadAsync(server.Client);
        var body = RandomNumberGenerator.GetBytes(1 << 20);
        using var socket = await server.ConnectAsync();
        await socket.SendAsync(server.Head("PATCH", location, "Content-Type: application/octet-stream", $"Content-Length: {body.Length}"));
        await socket.SendAsync(body.AsMemory(0, 64 * 1024));
        using var trickling = new CancellationTokenSource();

        // Then about 100 bytes a second, a hundredth of the minimum rate.
        var trickle = TrickleAsync(socket, new string('x', 1000), TimeSpan.FromMilliseconds(10), trickling.Token);
        var answer = await ServerUnderStress.ReadUntilClosedAsync(socket, Deadline);
        await trickling.CancelAsync();
        await trickle;

        // The chunk is refused as an upload error naming the cause; the connection is then closed.
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("BLOB_UPLOAD_INVALID", answer, StringComparison.Ordinal);
        Assert.Contains("too slowly", answer, StringComparison.Ordinal);
        await AssertNoFileLeftOpenAsync(server, baseline);
        await AssertUploadResumesOrIsUnknownAsync(server.Client, location, body);
    }

    [Fact]
    public async Task A_client_vanishing_mid_upload_leaks_nothing_and_the_server_keeps_serving()
    {
        await using var server = await ServerUnderStress.StartAsync(ShortLimits);
        var baseline = await SettledOpenFilesAsync(server);
        var location = await StartUploadAsync(server.Client);
        var body = RandomNumberGenerator.GetBytes(8 << 20);
        using (var socket = await server.ConnectAsync())
        {
            await socket.SendAsync(server.Head("PATCH", location, "Content-Type: application/octet-stream", $"Content-Length: {body.Length}"));
            await socket.SendAsync(body.AsMemory(0, body.Length / 2));
            ServerUnderStress.Vanish(socket);
        }

        await AssertNoFileLeftOpenAsync(server, baseline);
        var id = location[(location.LastIndexOf('/') + 1)..];
        Assert.All(server.UploadFiles(), f => Assert.Contains(id, f, StringComparison.Ordinal));
        await AssertUploadResumesOrIsUnknownAsync(server.Client, location, body);
        Assert.Empty(server.UploadFiles());
    }

    [Fact]
    public async Task A_client_vanishing_mid_download_leaks_nothing_and_the_server_keeps_serving()
    {
        await using var server = await ServerUnderStress.StartAsync(ShortLimits);
        var blob = RandomNumberGenerator.GetBytes(32 << 20);
        var digest = await RawPush.BlobAsync(server.Client, "faults/download", blob);
        var baseline = await SettledOpenFilesAsync(server);
        using (var socket = await server.ConnectAsync())
        {
            await socket.SendAsync(server.Head("GET", $"/v2/faults/download/blobs/{digest}"));
            var buffer = new byte[64 * 1024];
            var read = 0;
            while (read < 1 << 20)
            {
                read += await socket.ReceiveAsync(buffer);
            }

            ServerUnderStress.Vanish(socket);
        }

        await AssertNoFileLeftOpenAsync(server, baseline);
        Assert.Equal(blob, await server.Client.GetByteArrayAsync(new Uri($"/v2/faults/download/blobs/{digest}", UriKind.Relative)));
    }

    /// <summary>A reader that stops reading mid-download is dropped by the minimum response rate, freeing its file.</summary>
    [Fact]
    public async Task A_client_that_stops_reading_a_download_is_dropped_and_its_file_closed()
    {
        // Kestrel extends a response's deadline by bytes/rate for every byte it hands the socket, so the rate is set
        // high (any local reader keeps it) and the client's window small, so that the stall is detected in seconds.
        await using var server = await ServerUnderStress.StartAsync(new Dictionary<string, string>(ShortLimits) { ["MinResponseDataRate"] = "1000000" });
        var blob = RandomNumberGenerator.GetBytes(64 << 20);
        var digest = await RawPush.BlobAsync(server.Client, "faults/stalled", blob);
        var baseline = await SettledOpenFilesAsync(server);
        using var socket = await server.ConnectAsync(receiveBuffer: 64 * 1024);
        await socket.SendAsync(server.Head("GET", $"/v2/faults/stalled/blobs/{digest}"));

        // Reads nothing: the socket buffers fill, the server's writes stall below the minimum rate.
        await AssertNoFileLeftOpenAsync(server, baseline);
        ServerUnderStress.Vanish(socket);
        using var ping = await server.Client.GetAsync(new Uri("/v2/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    private static async Task<string> StartUploadAsync(HttpClient client)
    {
        using var post = await client.PostAsync(new Uri("/v2/faults/upload/blobs/uploads/", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!;
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    /// <summary>
    /// The upload either resumes where the server says it stands (Range) and completes with the right digest, or is
    /// cleanly unknown (404 BLOB_UPLOAD_UNKNOWN) — never stuck, never a 500.
    /// </summary>
    private static async Task AssertUploadResumesOrIsUnknownAsync(HttpClient client, string location, byte[] body)
    {
        using var status = await client.GetAsync(new Uri(location, UriKind.Relative));
        if (status.StatusCode == HttpStatusCode.NotFound)
        {
            Assert.Contains("BLOB_UPLOAD_UNKNOWN", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        var range = status.Headers.GetValues("Range").Single();
        // "0-0" is also what an empty upload says; every upload here kept either nothing or far more than a byte.
        var offset = range == "0-0" ? 0 : long.Parse(range.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) + 1;
        using var rest = new ByteArrayContent(body, (int)offset, body.Length - (int)offset);
        rest.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var patch = new HttpRequestMessage(HttpMethod.Patch, new Uri(location, UriKind.Relative)) { Content = rest };
        patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{body.Length - 1}");
        using var patched = await client.SendAsync(patch);
        Assert.True(patched.StatusCode == HttpStatusCode.Accepted, $"resuming at {offset} ({range}): {(int)patched.StatusCode} {await patched.Content.ReadAsStringAsync()}");
        var next = patched.Headers.Location!;
        var url = (next.IsAbsoluteUri ? next.PathAndQuery : next.OriginalString) + (next.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + RawPush.Sha256(body);
        using var put = await client.PutAsync(new Uri(url, UriKind.Relative), null);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
    }

    /// <summary>The server's open descriptors once startup work has settled (a few requests, then a stable count).</summary>
    private static async Task<int> SettledOpenFilesAsync(ServerUnderStress server)
    {
        using (var ping = await server.Client.GetAsync(new Uri("/v2/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        return server.OpenFiles();
    }

    private static async Task AssertNoFileLeftOpenAsync(ServerUnderStress server, int baseline)
    {
        // The test's own client keeps one pooled connection open, counted in the baseline already.
        await ServerUnderStress.WaitUntilAsync(
            () => server.OpenDataFiles().Count == 0 && server.OpenFiles() <= baseline + 1,
            Deadline,
            () => $"open: {server.OpenFiles()} (baseline {baseline}); data files: {string.Join(", ", server.OpenDataFiles())}");
    }

    private static async Task TrickleAsync(Socket socket, string text, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var c in text)
            {
                await socket.SendAsync(new[] { (byte)c }, cancellationToken);
                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The server closed the connection (the point of the test) or the test stopped trickling.
        }
    }
}
