using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Wharf.EndToEndTests.Cli;
using Wharf.EndToEndTests.Faults;
using Wharf.EndToEndTests.Webhooks;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Deploy;

/// <summary>
/// <c>deploy/systemd/wharf.service</c> checked by systemd's own <c>systemd-analyze verify</c> and
/// <c>systemd-analyze security --offline=yes</c> (no running systemd needed), and its <c>ExecStart</c> run against
/// the real <c>wharf</c> executable.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class SystemdUnitTests : IDisposable
{
    private const string InstalledBinary = "/usr/local/bin/wharf";

    /// <summary>The most exposure <c>systemd-analyze security</c> may score the unit (0 is best, 10 worst; 1.3 today).</summary>
    private const double MaximumExposure = 2.0;

    private readonly string _work = Directory.CreateTempSubdirectory("wharf-systemd-").FullName;

    [Fact]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_warning()
    {
        var result = await VerifyAsync(File.ReadAllText(DeployFiles.SystemdUnit));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("", (result.Stdout + result.Stderr).Trim());
    }

    [Fact]
    public async Task Systemd_analyze_verify_reports_a_mistake_in_the_unit()
    {
        // The check above can fail: the same unit with a misspelt directive gets a warning.
        var unit = File.ReadAllText(DeployFiles.SystemdUnit).Replace("ProtectHome=yes", "ProtectHome=yes\nProtectHomes=yes", StringComparison.Ordinal);

        var result = await VerifyAsync(unit);

        Assert.Contains("ProtectHomes", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Systemd_analyze_security_rates_the_unit_well_hardened()
    {
        var unit = WriteUnitWithStub(File.ReadAllText(DeployFiles.SystemdUnit));
        var result = await ProcessRunner.RunAsync(SystemdAnalyze, ["security", "--offline=yes", "--no-pager", unit]);

        Assert.True(result.ExitCode == 0, result.Describe());
        var exposure = ExposureLine().Match(result.Stdout);
        Assert.True(exposure.Success, result.Describe());
        Assert.InRange(double.Parse(exposure.Groups[1].Value, CultureInfo.InvariantCulture), 0, MaximumExposure);
    }

    [Fact]
    public void The_unit_sets_the_hardening_the_readme_promises()
    {
        var settings = Settings(File.ReadAllText(DeployFiles.SystemdUnit));

        Assert.Equal("yes", settings["DynamicUser"]);
        Assert.Equal("wharf", settings["StateDirectory"]);
        Assert.Equal("strict", settings["ProtectSystem"]);
        Assert.Equal("yes", settings["ProtectHome"]);
        Assert.Equal("yes", settings["PrivateTmp"]);
        Assert.Equal("yes", settings["NoNewPrivileges"]);
        Assert.Equal("", settings["CapabilityBoundingSet"]);
        Assert.Equal("AF_INET AF_INET6 AF_UNIX", settings["RestrictAddressFamilies"]);
        Assert.Equal("@system-service", settings["SystemCallFilter"]);
        Assert.Equal("on-failure", settings["Restart"]);
        // The .NET JIT maps memory writable and executable: the unit must not forbid it.
        Assert.False(settings.ContainsKey("MemoryDenyWriteExecute"));
        var stopTimeout = TimeSpan.FromSeconds(int.Parse(settings["TimeoutStopSec"], CultureInfo.InvariantCulture));
        Assert.True(stopTimeout > DeployFiles.DefaultDrainTime, $"TimeoutStopSec {stopTimeout} must exceed Shutdown:DrainTime {DeployFiles.DefaultDrainTime}");
    }

    [Fact]
    public async Task The_units_command_line_starts_the_real_wharf()
    {
        var arguments = Settings(File.ReadAllText(DeployFiles.SystemdUnit))["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(InstalledBinary, arguments[0]);
        Assert.Equal(["serve", "--listen", "0.0.0.0:5000", "--data", "/var/lib/wharf"], arguments[1..]);

        // The same flags, on a free loopback port and a scratch directory: wharf accepts them and serves.
        var local = arguments[1..].ToArray();
        local[2] = "127.0.0.1:0";
        local[4] = Path.Combine(_work, "data");
        await using var server = WharfProcess.Start(local);
        using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Wharf_serves_under_the_units_system_call_filter()
    {
        await ServeUnderTheUnitsFilterAsync(new Dictionary<string, string>());
    }

    [ScaleOutFact]
    public async Task Wharf_on_s3_and_postgres_serves_under_the_units_system_call_filter()
    {
        // Npgsql and the S3 client make calls of their own (TLS, DNS, their sockets): the same filter must allow them.
        await using var backend = await ScaleOutBackend.CreateAsync();
        var environment = backend.Settings.ToDictionary(
            pair => "WHARF_" + pair.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), pair => pair.Value!, StringComparer.Ordinal);

        await ServeUnderTheUnitsFilterAsync(environment);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>
    /// The unit's SystemCallFilter= lines (@system-service without @privileged, other calls failing with EPERM), applied
    /// with libseccomp as systemd applies them; then a push, a pull and a graceful stop: neither the .NET runtime nor
    /// Wharf may need a call outside the list.
    /// </summary>
    private async Task ServeUnderTheUnitsFilterAsync(IReadOnlyDictionary<string, string> environment)
    {
        var launcher = new[] { RequiredTool.Find("python3", "python3"), Path.Combine(PrivatePostgres.RepositoryRoot(), "tests", "Wharf.EndToEndTests", "Deploy", "seccomp-exec.py"), DeployFiles.SystemdUnit, "--" };
        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], environment, launcher: launcher);
        using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };

        Assert.Contains("Seccomp:\t2", await File.ReadAllTextAsync($"/proc/{server.Id}/status"), StringComparison.Ordinal);
        var image = await RawPush.ImageAsync(client, "team/app", "v1", layerSize: 6 * 1024 * 1024);
        Assert.Equal(image.Manifest, await client.GetByteArrayAsync(new Uri("/v2/team/app/manifests/v1", UriKind.Relative)));
        Assert.Equal(image.Blobs[image.Layer], await client.GetByteArrayAsync(new Uri($"/v2/team/app/blobs/{image.Layer}", UriKind.Relative)));
        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("system calls allowed, every other one fails with EPERM", server.Output, StringComparison.Ordinal);
    }

    private static string SystemdAnalyze => RequiredTool.Find("systemd-analyze", "systemd");

    /// <summary>
    /// Runs <c>systemd-analyze verify</c> on <paramref name="unit"/>, its <c>ExecStart</c> pointed at a stub (verify
    /// checks that the program exists and is executable; the tests do not install wharf into /usr/local/bin).
    /// </summary>
    private async Task<ProcessResult> VerifyAsync(string unit) =>
        await ProcessRunner.RunAsync(SystemdAnalyze, ["verify", "--man=no", WriteUnitWithStub(unit)]);

    private string WriteUnitWithStub(string unit)
    {
        var stub = Path.Combine(_work, "wharf");
        File.WriteAllText(stub, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var path = Path.Combine(_work, "wharf.service");
        File.WriteAllText(path, unit.Replace("ExecStart=" + InstalledBinary + " ", "ExecStart=" + stub + " ", StringComparison.Ordinal));
        return path;
    }

    /// <summary>Every <c>Key=value</c> line, comments left out; a key set twice (SystemCallFilter) keeps its first value.</summary>
    private static Dictionary<string, string> Settings(string unit) =>
        unit.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith('[') && line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First()[1], StringComparer.Ordinal);

    [GeneratedRegex(@"Overall exposure level for wharf\.service: (\d+(?:\.\d+)?)")]
    private static partial Regex ExposureLine();
}
