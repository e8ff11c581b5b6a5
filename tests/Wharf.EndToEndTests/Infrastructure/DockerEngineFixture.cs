using Wharf.TestKit;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// A real Docker engine of the test class's own (Debian package <c>docker.io</c>): dockerd with vfs
/// storage, no iptables and no bridge, data/exec roots, pidfile and socket in a temp directory; it
/// spawns its own containerd in the same process group, and the whole group is killed at the end.
/// dockerd 20.10 writes /etc/docker/key.json on first start; it is removed again if it was not there before.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    private const string TrustKey = "/etc/docker/key.json";
    private readonly TempDirectory _directory = new("wharf-dkr");
    private DaemonProcess? _daemon;
    private bool _trustKeyExisted;

    /// <summary>DOCKER_HOST for the CLI.</summary>
    public string Host => "unix://" + _directory.Combine("docker.sock");

    /// <summary>DOCKER_CONFIG for the CLI (its config.json and manifest-list store).</summary>
    public string ConfigDirectory => _directory.Combine("cli-config");

    public string Log => _daemon?.ReadLog() ?? string.Empty;

    /// <summary>The daemon.json the engine starts with (e.g. its <c>registry-mirrors</c>); empty by default.</summary>
    public string DaemonConfig { get; init; } = "{}";

    public async Task InitializeAsync()
    {
        var dockerd = RequiredTool.Find("dockerd", "docker.io");
        var docker = RequiredTool.Find("docker", "docker.io");
        Directory.CreateDirectory(ConfigDirectory);
        var config = _directory.Combine("daemon.json");
        await File.WriteAllTextAsync(config, DaemonConfig);
        _trustKeyExisted = File.Exists(TrustKey);
        _daemon = DaemonProcess.Start(
            "dockerd",
            dockerd,
            [
                "--config-file", config,
                "--data-root", _directory.Combine("root"),
                "--exec-root", _directory.Combine("exec"),
                "--pidfile", _directory.Combine("docker.pid"),
                "--host", Host,
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver=vfs",
            ],
            _directory.Combine("dockerd.log"));
        var environment = Environment();
        await _daemon.WaitUntilReadyAsync(
            async () => (await ProcessRunner.RunAsync(docker, ["version", "--format", "{{.Server.Version}}"], environment, timeout: TimeSpan.FromSeconds(10))).Succeeded,
            TimeSpan.FromSeconds(90));
    }

    /// <summary>The environment the docker CLI needs to talk to this engine.</summary>
    public IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>
    {
        ["DOCKER_HOST"] = Host,
        ["DOCKER_CONFIG"] = ConfigDirectory,
        ["DOCKER_CLI_HINTS"] = "false",
    };

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        if (!_trustKeyExisted && File.Exists(TrustKey))
        {
            File.Delete(TrustKey);
        }

        _directory.Dispose();
    }
}
