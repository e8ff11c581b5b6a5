using System.Net;
using System.Security.Cryptography;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// SIGTERM with an upload in flight, on a real <c>wharf serve</c>: readiness fails at once, a new request gets 503
/// UNAVAILABLE with <c>Retry-After</c>, the upload in flight completes within <c>Shutdown:DrainTime</c>, the process
/// then exits 0, and the blob is there after a restart.
/// </summary>
public sealed class DrainTests : IDisposable
{
    private const int Half = 1024 * 1024;
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-drain-").FullName;

    [Fact]
    public async Task An_upload_in_flight_completes_during_the_drain_while_new_requests_get_503()
    {
        var data = Path.Combine(_work, "data");
        var environment = new Dictionary<string, string> { ["WHARF_SHUTDOWN__DRAINTIME"] = "00:00:30" };
        var blob = RandomNumberGenerator.GetBytes(2 * Half);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        var secondHalf = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data], environment))
        {
            var address = await wharf.WaitUntilListeningAsync();
            using var uploader = new HttpClient { BaseAddress = address };
            using var start = await uploader.PostAsync(new Uri("/v2/app/blobs/uploads/", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var location = start.Headers.Location!.OriginalString;
            var put = uploader.PutAsync(new Uri($"{location}{(location.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={digest}", UriKind.RelativeOrAbsolute),
                new TwoPartContent(blob, Half, secondHalf.Task));
            await WaitForAsync(() => UploadBytes(data) >= Half, wharf);

            await wharf.SignalTerminateAsync();

            using (var probes = new HttpClient { BaseAddress = address })
            {
                await WaitForAsync(() => Status(probes, "/readyz") == HttpStatusCode.ServiceUnavailable, wharf);
                using var ping = await probes.GetAsync(new Uri("/v2/", UriKind.Relative));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ping.StatusCode);
                Assert.Contains("\"UNAVAILABLE\"", await ping.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.True(ping.Headers.RetryAfter is not null, ping.Headers.ToString());
            }

            Assert.False(wharf.HasExited, wharf.Output);
            secondHalf.SetResult();
            using var done = await put;
            Assert.Equal(HttpStatusCode.Created, done.StatusCode);
            Assert.Equal(0, await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Draining: 1 requests in flight", wharf.Output, StringComparison.Ordinal);
        }

        await using var again = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data]);
        using var client = new HttpClient { BaseAddress = await again.WaitUntilListeningAsync() };
        Assert.Equal(blob, await client.GetByteArrayAsync(new Uri($"/v2/app/blobs/{digest}", UriKind.Relative)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static long UploadBytes(string data) =>
        Directory.Exists(data)
            ? Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Where(f => f.Contains("uploads", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length)
            : 0;

    private static HttpStatusCode Status(HttpClient client, string path)
    {
        using var response = client.GetAsync(new Uri(path, UriKind.Relative)).GetAwaiter().GetResult();
        return response.StatusCode;
    }

    private static async Task WaitForAsync(Func<bool> condition, WharfProcess wharf)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), wharf.Output);
    }
}
