namespace Wharf.EndToEndTests.Cli;

/// <summary>A misspelled setting, in a config file or a <c>WHARF_…</c> variable, stops <c>serve</c>, fails <c>config validate</c> and the account commands, naming it and its closest valid spelling.</summary>
public sealed class StrictConfigTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-strict-").FullName;

    [Fact]
    public async Task Serve_refuses_a_misspelled_key_in_the_config_file()
    {
        var config = Path.Combine(_work, "wharf.yaml");
        await File.WriteAllTextAsync(config, "Auth:\n  Mdoe: basic\n");
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data"), "--config", config]);

        Assert.Equal(2, await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown setting Auth:Mdoe; did you mean Auth:Mode?", wharf.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_a_misspelled_key_in_an_environment_variable()
    {
        var environment = new Dictionary<string, string> { ["WHARF_UPLOADS__EXPIREAFTR"] = "01:00:00" };
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], environment);

        Assert.Equal(2, await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown setting Uploads:EXPIREAFTR; did you mean Uploads:ExpireAfter? (environment variable WHARF_UPLOADS__EXPIREAFTR)", wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_taken_port_says_it_cannot_listen_and_exits_cleanly_with_webhooks_on()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        // With an endpoint the webhook dispatcher runs, and its last flush must not find the store already closed.
        var environment = new Dictionary<string, string>
        {
            ["WHARF_WEBHOOKS__ENDPOINTS__0__NAME"] = "ci",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__URL"] = "http://127.0.0.1:9/",
        };
        await using var wharf = WharfProcess.Start(["serve", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(_work, "data")], environment);

        Assert.Equal(2, await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("wharf: cannot listen: Failed to bind to address", wharf.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration is invalid", wharf.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ObjectDisposedException", wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_of_other_tools_do_not_count()
    {
        var environment = new Dictionary<string, string> { ["WHARF_ENGINES_DIR"] = "/tmp", ["UPLOADS__BOGUS"] = "1" };
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], environment);

        await wharf.WaitUntilListeningAsync();
    }

    [Fact]
    public async Task Config_validate_reports_a_misspelled_key()
    {
        var config = Path.Combine(_work, "wharf.json");
        await File.WriteAllTextAsync(config, """{ "Pagination": { "MaxPageSiz": 100 }, "Listen": "127.0.0.1:5000" }""");

        await using var validate = WharfProcess.Start(["config", "validate", "--config", config]);

        Assert.Equal(2, await validate.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown setting Pagination:MaxPageSiz; did you mean Pagination:MaxPageSize?", validate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_list_refuses_a_misspelled_key_in_the_config_file()
    {
        var config = Path.Combine(_work, "bad.json");
        await File.WriteAllTextAsync(config, """{ "Auth": { "Mdoe": "basic" } }""");

        await using var list = WharfProcess.Start(["user", "list", "--data", Path.Combine(_work, "data"), "--config", config]);

        Assert.Equal(2, await list.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown setting Auth:Mdoe; did you mean Auth:Mode?", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_list_refuses_a_misspelled_environment_variable()
    {
        var environment = new Dictionary<string, string> { ["WHARF_METADATA__DRIVR"] = "Sqlite" };

        await using var list = WharfProcess.Start(["token", "list", "--data", Path.Combine(_work, "data")], environment);

        Assert.Equal(2, await list.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown setting Metadata:DRIVR; did you mean Metadata:Driver? (environment variable WHARF_METADATA__DRIVR)", list.Output, StringComparison.Ordinal);
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
}
