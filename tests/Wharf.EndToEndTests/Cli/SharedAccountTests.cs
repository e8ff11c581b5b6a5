using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary>Accounts live in the shared PostgreSQL database: made once with the CLI, they sign in to every instance.</summary>
[Trait("Category", "ScaleOut")]
public sealed class SharedAccountTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-acct-").FullName;

    [Fact]
    public async Task A_user_added_with_the_CLI_signs_in_to_two_instances_sharing_the_database()
    {
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        var environment = new Dictionary<string, string>
        {
            ["WHARF_METADATA__DRIVER"] = "PostgreSql",
            ["WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING"] = settings["Metadata:PostgreSql:ConnectionString"]!,
            ["WHARF_METADATA__POSTGRESQL__SCHEMA"] = settings["Metadata:PostgreSql:Schema"]!,
            ["WHARF_AUTH__BCRYPTCOST"] = "4",
        };
        await using (var add = WharfProcess.Start(["user", "add", "alice", "--password", "alice-password", "--data", Path.Combine(_work, "data")], environment))
        {
            var exitCode = await add.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{add.Output}");
        }

        settings["Auth:Mode"] = "Basic";
        settings["Auth:BcryptCost"] = "4";
        settings["Auth:Policies:0:Repositories"] = "**";
        settings["Auth:Policies:0:Users:0"] = "alice";
        settings["Auth:Policies:0:Actions:0"] = "*";
        await using var a = await WharfTestServer.StartAsync(settings);
        await using var b = await WharfTestServer.StartAsync(settings);

        foreach (var server in new[] { a, b })
        {
            using var anonymous = await server.Client.GetAsync(new Uri("/v2/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-password")));
            using var signedIn = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
