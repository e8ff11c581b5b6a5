using System.Net;
using System.Text.Json;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>Logging:Format</c> and request ids in the real server's standard output.</summary>
public sealed class LogFormatTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-log-").FullName;

    [Fact]
    public async Task Json_format_writes_one_object_per_line_and_the_request_line_carries_the_request_id()
    {
        await using var wharf = WharfProcess.Start(
            ["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], new Dictionary<string, string> { ["WHARF_LOGGING__FORMAT"] = "json" });
        using var client = new HttpClient { BaseAddress = await wharf.WaitUntilListeningAsync() };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Request-Id", "e2e-json-1");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await WaitForAsync(() => wharf.Output.Contains("e2e-json-1", StringComparison.Ordinal), wharf);

        var entries = wharf.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
        var line = Assert.Single(entries, e => e.GetProperty("EventId").GetInt32() == 2100);
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.Equal("e2e-json-1", line.GetProperty("State").GetProperty("RequestId").GetString());
        Assert.Equal("/v2/", line.GetProperty("State").GetProperty("Path").GetString());
        Assert.Equal(200, line.GetProperty("State").GetProperty("Status").GetInt32());
        Assert.Contains(line.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "e2e-json-1");
        Assert.Contains(entries, e => e.GetProperty("Message").GetString()!.StartsWith("Wharf is listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Console_format_keeps_a_forged_line_break_and_escape_in_the_path_or_user_name_on_one_line()
    {
        await using var wharf = WharfProcess.Start(
            ["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], new Dictionary<string, string> { ["WHARF_AUTH__MODE"] = "basic" });
        using var client = new HttpClient { BaseAddress = await wharf.WaitUntilListeningAsync() };
        using (var forgedPath = new HttpRequestMessage(HttpMethod.Get, "/v2/x%0D%0AFORGED-PATH%1B[2J/tags/list"))
        {
            using var response = await client.SendAsync(forgedPath);
        }

        using (var forgedUser = new HttpRequestMessage(HttpMethod.Get, "/v2/"))
        {
            forgedUser.Headers.Authorization = TestKit.Accounts.Basic("eve\r\nFORGED-USER\u001b[2J", "guess");
            using var response = await client.SendAsync(forgedUser);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await WaitForAsync(() => wharf.Output.Contains("FORGED-USER", StringComparison.Ordinal) && wharf.Output.Contains("FORGED-PATH", StringComparison.Ordinal), wharf);

        var lines = wharf.Output.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("FORGED", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', wharf.Output);
        Assert.Contains(lines, l => l.Contains("Failed login for user eve\\x0D\\x0AFORGED-USER\\x1B[2J from", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/v2/x\\x0D\\x0AFORGED-PATH\\x1B[2J/tags/list", StringComparison.Ordinal) && l.Contains(" id ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_format_is_refused_at_start()
    {
        await using var wharf = WharfProcess.Start(
            ["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], new Dictionary<string, string> { ["WHARF_LOGGING__FORMAT"] = "xml" });

        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Logging:Format must be console or json", wharf.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static JsonElement Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"not a JSON line: {line}\n{e.Message}");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, WharfProcess wharf)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), wharf.Output);
    }
}
