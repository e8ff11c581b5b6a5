using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf user …</c>, <c>wharf token …</c> and <c>serve --tls-cert/--tls-key</c> as an operator uses them.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-acct-").FullName;

    private string Data => Path.Combine(_work, "data");

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

    [Fact]
    public async Task Users_and_tokens_made_with_the_CLI_sign_in_to_a_running_server_and_revocation_applies_at_once()
    {
        await RunCheckedAsync("user", "add", "alice", "--password", "first-password");
        await RunCheckedAsync("user", "add", "bob", "--password", "bob-password", "--group", "dev");
        Assert.NotEqual(0, (await RunAsync("user", "add", "alice", "--password", "again")).ExitCode);
        Assert.NotEqual(0, (await RunAsync("user", "add", "robot.x", "--password", "x")).ExitCode);
        await RunCheckedAsync("user", "passwd", "alice", "--password", "alice-password");
        await RunCheckedAsync("user", "remove", "bob");
        var users = await RunCheckedAsync("user", "list");
        Assert.Contains("alice", users, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", users, StringComparison.Ordinal);
        var created = await RunCheckedAsync("token", "create", "--robot", "ci", "--scope", "repository:team/app:pull,push", "--expires", "30d");
        var robotToken = created.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("wharf_", StringComparison.Ordinal));
        var tokenId = robotToken.Substring(6, 12);
        Assert.Contains($"{tokenId}\trobot.ci\trobot\tactive", await RunCheckedAsync("token", "list"), StringComparison.Ordinal);

        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], new Dictionary<string, string> { ["WHARF_AUTH__MODE"] = "basic" });
        var address = await server.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = address };

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/v2/", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/v2/", ("alice", "first-password")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/v2/", ("alice", "alice-password")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(client, "/v2/team/app/tags/list", ("robot.ci", robotToken)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, "/v2/team/other/tags/list", ("robot.ci", robotToken)));

        await RunCheckedAsync("token", "revoke", tokenId);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "/v2/team/app/tags/list", ("robot.ci", robotToken)));
        Assert.Contains($"{tokenId}\trobot.ci\trobot\trevoked", await RunCheckedAsync("token", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(robotToken, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-password", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Htpasswd_bcrypt_entries_are_imported_and_others_reported()
    {
        var htpasswd = Path.Combine(_work, "htpasswd");
        await File.WriteAllTextAsync(htpasswd, "carol:" + BCrypt.Net.BCrypt.HashPassword("carol-password", 4).Replace("$2a$", "$2y$", StringComparison.Ordinal) + "\ndave:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");

        var (exitCode, output) = await RunAsync("user", "import-htpasswd", htpasswd);

        Assert.Equal(1, exitCode);
        Assert.Contains("1 added, 0 updated, 1 skipped", output, StringComparison.Ordinal);
        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], new Dictionary<string, string> { ["WHARF_AUTH__MODE"] = "basic" });
        using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/v2/", ("carol", "carol-password")));
    }

    [Fact]
    public async Task Serve_with_a_PEM_certificate_and_key_speaks_HTTPS()
    {
        var (cert, key) = (Path.Combine(_work, "wharf.crt"), Path.Combine(_work, "wharf.key"));
        var openssl = await ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
        Assert.True(openssl.Succeeded, openssl.Describe());

        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data, "--tls-cert", cert, "--tls-key", key]);
        var address = await server.WaitUntilListeningAsync();

        Assert.Equal("https", address.Scheme);
        using var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(cert);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == trusted.Thumbprint };
        using var client = new HttpClient(handler) { BaseAddress = address };
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/v2/", null));
    }

    [Fact]
    public async Task Config_validate_names_every_mistake_in_the_Auth_section()
    {
        var config = Path.Combine(_work, "wharf.yaml");
        await File.WriteAllTextAsync(config, "Auth:\n  Mode: token\n  Policies:\n    - Repositories: \"Team/**\"\n      Actions: [pull, fly]\n  Token:\n    Algorithm: HS256\n");

        await using var wharf = WharfProcess.Start(["config", "validate", "--config", config]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Repositories 'Team/**' is not a valid pattern", wharf.Output, StringComparison.Ordinal);
        Assert.Contains("unknown action 'fly'", wharf.Output, StringComparison.Ordinal);
        Assert.Contains("Auth:Token:Algorithm must be ES256 or RS256", wharf.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path, (string User, string Password)? credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (credentials is { } c)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")));
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
