using Wharf.TestKit;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// A containerd daemon of the test class's own (Debian package <c>containerd</c>): config, root,
/// state and socket in a temp directory, CRI plugin off; the whole process group is killed at the end.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("wharf-ctd");
    private DaemonProcess? _daemon;

    /// <summary>The containerd gRPC socket.</summary>
    public string Socket => _directory.Combine("containerd.sock");

    public string Log => _daemon?.ReadLog() ?? string.Empty;

    public async Task InitializeAsync()
    {
        var containerd = RequiredTool.Find("containerd", "containerd");
        var ctr = RequiredTool.Find("ctr", "containerd");
        var config = _directory.Combine("config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{_directory.Combine("root")}"
            state = "{_directory.Combine("state")}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            """);
        _daemon = DaemonProcess.Start("containerd", containerd, ["--config", config], _directory.Combine("containerd.log"));
        await _daemon.WaitUntilReadyAsync(
            async () => File.Exists(Socket)
                && (await ProcessRunner.RunAsync(ctr, ["--address", Socket, "version"], timeout: TimeSpan.FromSeconds(10))).Succeeded,
            TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        _directory.Dispose();
    }
}
