using System.Net;
using System.Text.Json;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf audit</c>, and the user and token commands writing to the audit log, as an operator uses them.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-audit-").FullName;

    private string Data => Path.Combine(_work, "data");

    [Fact]
    public async Task Account_changes_and_failed_logins_are_listed_with_filters_as_text_and_json()
    {
        await RunCheckedAsync("user", "add", "alice", "--password", "alice-password");
        await RunCheckedAsync("user", "add", "bob", "--password", "bob-password");
        await RunCheckedAsync("user", "passwd", "alice", "--password", "new-password");
        await RunCheckedAsync("user", "remove", "bob");
        var created = await RunCheckedAsync("token", "create", "--robot", "ci", "--scope", "repository:team/app:pull", "--expires", "30d");
        var tokenId = created.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("wharf_", StringComparison.Ordinal)).Substring(6, 12);
        await RunCheckedAsync("token", "revoke", tokenId);
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], new Dictionary<string, string> { ["WHARF_AUTH__MODE"] = "basic" }))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
            request.Headers.Authorization = TestKit.Accounts.Basic("mallory", "guess");
            request.Headers.Add("X-Request-Id", "cli-test-1");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var all = Lines(await RunCheckedAsync("audit"));
        Assert.Equal(
            ["login.failure", "token.revoke", "token.create", "user.remove", "user.password", "user.add", "user.add"],
            all.Select(l => l.Split('\t')[4]));
        Assert.All(all.Skip(1), l => Assert.Equal(["cli", Environment.UserName], l.Split('\t')[1..3]));

        var revoked = Assert.Single(Lines(await RunCheckedAsync("audit", "--action", "token.revoke")));
        Assert.Equal(tokenId, revoked.Split('\t')[6]);
        var failure = Assert.Single(Lines(await RunCheckedAsync("audit", "--actor", "mallory")));
        Assert.Equal(["user", "mallory", "127.0.0.1", "login.failure", "-", "-", "/v2/", "cli-test-1"], failure.Split('\t')[1..]);
        Assert.Equal(7, Lines(await RunCheckedAsync("audit", "--since", "1h")).Count);
        Assert.Empty(Lines(await RunCheckedAsync("audit", "--since", "2099-01-01T00:00:00Z")));
        Assert.Equal(2, Lines(await RunCheckedAsync("audit", "-n", "2")).Count);

        using var json = JsonDocument.Parse(await RunCheckedAsync("audit", "--json", "--action", "user.add"));
        var added = json.RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["bob", "alice"], added.Select(e => e.GetProperty("target").GetString()));
        Assert.All(added, e => Assert.Equal("cli", e.GetProperty("actorKind").GetString()));
    }

    [Fact]
    public async Task A_malformed_time_is_refused()
    {
        var (exitCode, output) = await RunAsync("audit", "--since", "yesterday");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--since 'yesterday'", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static List<string> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Data]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, wharf.Output);
    }

    private async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(arguments);
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }
}
