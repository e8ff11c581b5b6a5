using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// A second S3 gateway (radosgw) of this test's own, on its own port, in front of the Ceph cluster the shared engine
/// runs (its <c>ceph.conf</c> under <c>$WHARF_ENGINES_DIR/ceph</c>): it serves the same buckets, and killing it leaves
/// the shared gateway other tests use untouched. <see cref="KillAsync"/> is a crash (SIGKILL); <see cref="StartAsync"/>
/// brings it back on the same port.
/// </summary>
internal sealed class PrivateRadosGateway : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly TempDirectory _directory = new("wharf-fault-rgw");
    private readonly string _name = "client.rgw.fault" + Guid.NewGuid().ToString("N")[..8];
    private Process? _process;

    public PrivateRadosGateway()
    {
        Port = FreePort();
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    private static string CephConfig
    {
        get
        {
            var engines = Environment.GetEnvironmentVariable("WHARF_ENGINES_DIR")
                ?? throw new InvalidOperationException("WHARF_ENGINES_DIR is not set: run the tests through ./test.sh, which starts Ceph (scripts/engines.sh)");
            return Path.Combine(engines, "ceph", "ceph.conf");
        }
    }

    /// <summary>Starts the gateway and waits until it answers HTTP.</summary>
    public async Task StartAsync()
    {
        var startInfo = new ProcessStartInfo(RequiredTool.Find("radosgw", "radosgw"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-f", "-c", CephConfig, "-n", _name,
            $"--rgw_frontends=beast endpoint=127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)} tcp_nodelay=1",
            "--rgw_data=" + _directory.Path,
            "--log_file=" + _directory.Combine("rgw.log"),
            "--admin_socket=" + _directory.Combine("rgw.asok"),
            "--pid_file=" + _directory.Combine("rgw.pid"),
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = Process.Start(startInfo)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await AnswersAsync())
        {
            if (_process.HasExited)
            {
                Assert.Fail($"radosgw exited ({_process.ExitCode}); see {_directory.Combine("rgw.log")}");
            }

            Assert.True(DateTime.UtcNow < deadline, "radosgw did not answer within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>Kills the gateway at once, as a crash would: every open connection is reset, new ones are refused.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _directory.Dispose();
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await Probe.GetAsync(new Uri(Endpoint + "/"));
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
