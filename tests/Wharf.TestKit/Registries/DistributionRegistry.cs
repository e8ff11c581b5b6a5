using System.Globalization;

namespace Wharf.TestKit.Registries;

/// <summary>
/// CNCF Distribution (Debian package <c>docker-registry</c>) on 127.0.0.1 with filesystem storage
/// in a temp directory and deletes enabled: the reference the end-to-end tests are checked against.
/// </summary>
public sealed class DistributionRegistry : ITestRegistry
{
    private readonly TempDirectory _directory;
    private readonly DaemonProcess _daemon;

    private DistributionRegistry(TempDirectory directory, DaemonProcess daemon, int port)
    {
        _directory = directory;
        _daemon = daemon;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public Uri BaseAddress { get; }

    public string Authority => BaseAddress.Authority;

    public string Kind => "distribution";

    public string ReadLog() => _daemon.ReadLog();

    /// <summary>Starts Distribution; with <paramref name="dataDirectory"/> its storage lives there and outlives it.</summary>
    public static async Task<DistributionRegistry> StartAsync(string? dataDirectory = null)
    {
        var executable = RequiredTool.Find("docker-registry", "docker-registry");
        var directory = new TempDirectory("wharf-distribution");
        try
        {
            var port = FreePort.Next();
            var configPath = directory.Combine("config.yml");
            await File.WriteAllTextAsync(configPath, Config(dataDirectory ?? directory.CreateSubdirectory("data"), port));
            var daemon = DaemonProcess.Start("docker-registry", executable, ["serve", configPath], directory.Combine("registry.log"));
            var registry = new DistributionRegistry(directory, daemon, port);
            try
            {
                using var http = new HttpClient { BaseAddress = registry.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
                await daemon.WaitUntilReadyAsync(
                    async () => (await http.GetAsync(new Uri("v2/", UriKind.Relative))).IsSuccessStatusCode,
                    TimeSpan.FromSeconds(30));
                return registry;
            }
            catch
            {
                await registry.DisposeAsync();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _directory.Dispose();
    }

    private static string Config(string root, int port) => $"""
        version: 0.1
        log:
          level: info
          accesslog:
            disabled: false
        storage:
          filesystem:
            rootdirectory: {root}
          delete:
            enabled: true
          cache:
            blobdescriptor: inmemory
        http:
          addr: 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
        """;
}
