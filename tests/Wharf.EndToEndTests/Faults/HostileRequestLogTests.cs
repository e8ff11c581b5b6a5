using System.Text;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// What a real <c>wharf serve</c> writes to its log for hostile requests: the request line Wharf logs for every
/// request (method, path, status), and nothing else — no error entry, no stack trace. Kestrel refuses oversized
/// headers itself (431) before Wharf sees the request, and logs nothing at the default level.
/// </summary>
public sealed class HostileRequestLogTests
{
    public static TheoryData<string, string, string, int> Requests => new()
    {
        { "PUT", "/v2/log/app/manifests/nested", string.Concat(Enumerable.Repeat("[", 10_000)), 400 },
        { "GET", "/v2/log/app/blobs/sha256:ABC", "", 400 },
        { "GET", "/v2/log/%2e%2e/%2e%2e/etc/blobs/sha256:" + new string('0', 64), "", 404 },
        { "GET", "/v1/search?q=a%00bc", "", 400 },
        { "GET", "/api/repositories?q=%00", "", 400 },
        { "POST", "/v2/Log/App/blobs/uploads/", "", 400 },
        { "GET", "/v2/_catalog?last=%00", "", 200 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_hostile_request_is_logged_as_one_short_line(string method, string target, string body, int status)
    {
        await using var server = await ServerUnderStress.StartAsync(new Dictionary<string, string>());
        using var socket = await server.ConnectAsync();
        var bytes = Encoding.UTF8.GetBytes(body);
        await socket.SendAsync(server.Head(method, target, "Connection: close", "Content-Type: application/vnd.oci.image.manifest.v1+json", $"Content-Length: {bytes.Length}"));
        await socket.SendAsync(bytes);

        var answer = await ServerUnderStress.ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(15));

        Assert.StartsWith($"HTTP/1.1 {status}", answer, StringComparison.Ordinal);
        await ServerUnderStress.WaitUntilAsync(() => RequestLines(server, method).Count > 0, TimeSpan.FromSeconds(10), () => server.Process.Output);
        var line = Assert.Single(RequestLines(server, method));
        Assert.Contains($" {status} ", line, StringComparison.Ordinal);
        Assert.True(line.Length < 400, line);
        Assert.DoesNotContain(" fail: ", server.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", server.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Process.Output, StringComparison.Ordinal);
    }

    /// <summary>The request log's lines for <paramref name="method"/> (the server makes no other requests).</summary>
    private static List<string> RequestLines(ServerUnderStress server, string method) =>
        [.. server.Process.Output.Split('\n').Where(l => l.Contains("RequestLogMiddleware", StringComparison.Ordinal) && l.Contains($" {method} ", StringComparison.Ordinal))];
}
