using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Faults;

/// <summary>
/// A PostgreSQL cluster of this test's own (scripts/engines/pg-start.sh under a temp directory, on a free port), so that
/// it can be stopped and started without disturbing the shared engine other tests use. Removed on dispose.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly int _port;

    private PrivatePostgres(string directory, int port, string connectionString)
    {
        _directory = directory;
        _port = port;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    private static string Scripts => Path.Combine(RepositoryRoot(), "scripts", "engines");

    private static string PgCtl => Path.Combine(Directory.GetDirectories("/usr/lib/postgresql").Max(StringComparer.Ordinal)!, "bin", "pg_ctl");

    public static async Task<PrivatePostgres> StartAsync()
    {
        RequiredTool.Find("runuser", "util-linux");
        var directory = Path.Combine(Path.GetTempPath(), "wharf-fault-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var port = FreePort();
        var started = await ProcessRunner.RunAsync("bash", [Path.Combine(Scripts, "pg-start.sh")], new Dictionary<string, string?>
        {
            ["PG_DIR"] = directory,
            ["PG_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["PG_DB"] = "wharf",
            ["PG_USER"] = "wharf",
            ["PG_PASSWORD"] = "wharf",
        });
        Assert.True(started.ExitCode == 0, started.ToString());
        return new PrivatePostgres(directory, port, started.Stdout.Trim().Split('\n')[^1]);
    }

    /// <summary>A fast shutdown: open sessions are ended (57P01) and new connections refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        var stopped = await PgCtlAsync("-m", "fast", "-w", "stop");
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
    }

    public async Task StartAgainAsync()
    {
        var started = await PgCtlAsync("-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30", "start",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory} -c fsync=off -c synchronous_commit=off");
        Assert.True(started.ExitCode == 0, started.ToString());
    }

    public async ValueTask DisposeAsync() =>
        await ProcessRunner.RunAsync("bash", [Path.Combine(Scripts, "pg-stop.sh")], new Dictionary<string, string?> { ["PG_DIR"] = _directory });

    private Task<ProcessResult> PgCtlAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", PgCtl, "-D", Path.Combine(_directory, "data"), .. arguments]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Wharf.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Wharf.sln) is not above " + AppContext.BaseDirectory);
    }
}
