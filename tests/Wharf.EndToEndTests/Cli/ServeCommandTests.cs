using System.Net;
using System.Text;

namespace Wharf.EndToEndTests.Cli;

/// <summary>The <c>wharf</c> command as an operator uses it: flags, environment, config file, logs, signals.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-cli-").FullName;

    [Fact]
    public async Task Serve_listens_where_told_keeps_data_where_told_and_logs_one_line_per_request()
    {
        var data = Path.Combine(_work, "data");
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", data]);
        var address = await wharf.WaitUntilListeningAsync();

        using var client = new HttpClient { BaseAddress = address };
        using var response = await client.GetAsync(new Uri("/v2/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
        Assert.True(File.Exists(Path.Combine(data, "wharf.db")), wharf.Output);
        await WaitForAsync(() => wharf.Output.Contains("GET /v2/ 200", StringComparison.Ordinal), wharf);
    }

    [Fact]
    public async Task Sigterm_shuts_the_server_down_gracefully()
    {
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")]);
        await wharf.WaitUntilListeningAsync();

        var exitCode = await wharf.TerminateAsync(TimeSpan.FromSeconds(20));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{wharf.Output}");
        Assert.Contains("Application is shutting down", wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flags_override_environment_which_overrides_the_config_file()
    {
        var fileData = Path.Combine(_work, "from-file");
        var config = Path.Combine(_work, "wharf.yaml");
        await File.WriteAllTextAsync(config, $"""
            Listen: 127.0.0.1:1
            Data: {fileData}
            Manifests:
              MaxSize: 2048
            Uploads:
              ExpireAfter: "00:30:00"
            """);
        var environment = new Dictionary<string, string> { ["WHARF_MANIFESTS__MAXSIZE"] = "4096", ["WHARF_LISTEN"] = "127.0.0.1:2" };
        await using var wharf = WharfProcess.Start(["serve", "--config", config, "--listen", "127.0.0.1:0"], environment);
        var address = await wharf.WaitUntilListeningAsync();

        // The flag won over the environment and the file (it listens on a free port, not 1 or 2) ...
        Assert.NotEqual(1, address.Port);
        Assert.NotEqual(2, address.Port);
        // ... the file's data directory is used, as nothing overrides it ...
        Assert.True(File.Exists(Path.Combine(fileData, "wharf.db")), wharf.Output);

        // ... and the environment's 4096-byte manifest limit beats the file's 2048: a 3000-byte body is read and judged, not refused as too large.
        using var client = new HttpClient { BaseAddress = address };
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(new string(' ', 3000)));
        body.Headers.ContentType = new("application/vnd.oci.image.manifest.v1+json");
        using var response = await client.PutAsync(new Uri("/v2/app/manifests/v1", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        using var tooLarge = new ByteArrayContent(new byte[5000]);
        using var refused = await client.PutAsync(new Uri("/v2/app/manifests/v1", UriKind.Relative), tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_auth_logs_a_warning()
    {
        await using var wharf = WharfProcess.Start(["serve", "--listen", "0.0.0.0:0", "--data", Path.Combine(_work, "data")]);
        await wharf.WaitUntilListeningAsync();

        await WaitForAsync(() => wharf.Output.Contains("no authentication", StringComparison.Ordinal), wharf);
    }

    [Fact]
    public async Task Loopback_listen_logs_no_warning()
    {
        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")]);
        await wharf.WaitUntilListeningAsync();

        Assert.DoesNotContain("no authentication", wharf.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WHARF_UPLOADS__EXPIREAFTER", "00:00:00", "ExpireAfter")]
    [InlineData("WHARF_LISTEN", "not-an-address", "Listen must be HOST:PORT")]
    [InlineData("WHARF_MANIFESTS__MAXSIZE", "12", "MaxSize")]
    [InlineData("WHARF_CACHE__BLOBENTRIES", "-1", "BlobEntries")]
    [InlineData("WHARF_HTTP__DATARATEGRACEPERIOD", "00:00:01", "DataRateGracePeriod")]
    [InlineData("WHARF_HTTP__REQUESTHEADERSTIMEOUT", "00:00:00", "RequestHeadersTimeout")]
    [InlineData("WHARF_HTTP__MAXREQUESTHEADERCOUNT", "0", "MaxRequestHeaderCount")]
    [InlineData("WHARF_HTTP__MINREQUESTBODYDATARATE", "-1", "MinRequestBodyDataRate")]
    [InlineData("WHARF_GC__UNTAGGEDMANIFESTS__AFTER", "-1.00:00:00", "Gc:UntaggedManifests: The field After")]
    [InlineData("WHARF_HEALTH__TIMEOUT", "00:00:00", "Timeout")]
    [InlineData("WHARF_SHUTDOWN__DRAINTIME", "-00:00:01", "DrainTime")]
    public async Task An_invalid_setting_stops_startup_with_a_message_naming_it(string variable, string value, string expected)
    {
        await using var wharf = WharfProcess.Start(["serve", "--data", Path.Combine(_work, "data")], new Dictionary<string, string> { [variable] = value });

        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, wharf.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_validate_accepts_a_good_file_and_rejects_a_bad_one()
    {
        var good = Path.Combine(_work, "good.yaml");
        var bad = Path.Combine(_work, "bad.json");
        await File.WriteAllTextAsync(good, "Listen: 127.0.0.1:5000\nUploads:\n  ExpireAfter: \"02:00:00\"\n");
        await File.WriteAllTextAsync(bad, """{ "Pagination": { "MaxPageSize": 0 } }""");

        await using var ok = WharfProcess.Start(["config", "validate", "--config", good]);
        Assert.Equal(0, await ok.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("configuration is valid", ok.Output, StringComparison.Ordinal);

        await using var refused = WharfProcess.Start(["config", "validate", "--config", bad]);
        Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("MaxPageSize", refused.Output, StringComparison.Ordinal);
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

    private static async Task WaitForAsync(Func<bool> condition, WharfProcess wharf)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), wharf.Output);
    }
}
