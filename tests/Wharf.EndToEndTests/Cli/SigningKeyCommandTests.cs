using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf token keys|rotate-key|retire-key</c> on the data directory of a token-mode server.</summary>
public sealed class SigningKeyCommandTests : IDisposable
{
    private static readonly Dictionary<string, string> TokenMode = new() { ["WHARF_AUTH__MODE"] = "token", ["WHARF_AUTH__BCRYPTCOST"] = "4" };
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-keys-").FullName;

    private string Data => Path.Combine(_work, "data");

    private async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Data], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, wharf.Output);
    }

    private async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(TokenMode, arguments);
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }

    [Fact]
    public async Task A_rotated_key_is_listed_as_pending_and_a_retired_key_stops_its_tokens()
    {
        await RunCheckedAsync("user", "add", "alice", "--password", "alice-password");
        string oldToken, oldKid;
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], TokenMode))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            oldToken = await TokenAsync(client);
            oldKid = Kid(oldToken);
        }

        var rotated = await RunCheckedAsync("token", "rotate-key");
        var newKid = rotated.Split(' ')[4];
        var keys = await RunCheckedAsync("token", "keys");
        Assert.Contains($"{oldKid}\tES256\t1\t", keys, StringComparison.Ordinal);
        Assert.Matches($"{oldKid}\t.*\tsigns", keys);
        Assert.Matches($"{newKid}\tES256\t2\t.*\tverifies; signs from ", keys);

        await RunCheckedAsync("token", "retire-key", oldKid);
        Assert.NotEqual(0, (await RunAsync(TokenMode, "token", "retire-key", oldKid)).ExitCode);
        Assert.Matches($"{oldKid}\t.*\tretired ", await RunCheckedAsync("token", "keys"));

        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], TokenMode))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            Assert.Equal(HttpStatusCode.Unauthorized, await PingAsync(client, oldToken));
            var newToken = await TokenAsync(client);
            Assert.Equal(newKid, Kid(newToken)); // the only key left signs at once
            Assert.Equal(HttpStatusCode.OK, await PingAsync(client, newToken));
        }
    }

    [Fact]
    public async Task With_a_key_directory_the_commands_point_there()
    {
        var environment = new Dictionary<string, string>(TokenMode) { ["WHARF_AUTH__TOKEN__KEYDIRECTORY"] = Path.Combine(_work, "keys") };

        var (exitCode, output) = await RunAsync(environment, "token", "rotate-key");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("KeyDirectory", output, StringComparison.Ordinal);
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/token?service=wharf");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-password")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpStatusCode> PingAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The <c>kid</c> in a JWT's header.</summary>
    private static string Kid(string jwt)
    {
        var header = jwt.Split('.')[0].Replace('-', '+').Replace('_', '/');
        header = header.PadRight(header.Length + ((4 - (header.Length % 4)) % 4), '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(header));
        return json.RootElement.GetProperty("kid").GetString()!;
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
