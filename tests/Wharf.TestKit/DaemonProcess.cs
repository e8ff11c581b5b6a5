using System.Diagnostics;

namespace Wharf.TestKit;

/// <summary>
/// A long-running process (a registry, containerd, dockerd) started in its own session and process
/// group via <c>setsid</c>, with stdout and stderr going to a log file. Disposing kills the whole
/// group, so helpers the daemon spawned (e.g. dockerd's own containerd) go with it.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private bool _disposed;

    private DaemonProcess(Process process, string name, string logPath, string commandLine)
    {
        _process = process;
        Name = name;
        LogPath = logPath;
        CommandLine = commandLine;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public string Name { get; }

    public string LogPath { get; }

    public string CommandLine { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="fileName"/> in a new session; output is appended to <paramref name="logPath"/>.</summary>
    public static DaemonProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        string logPath,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var setsid = RequiredTool.Find("setsid", "util-linux");
        var shell = "exec \"$@\" >>" + ShellQuote(logPath) + " 2>&1";
        var startInfo = ProcessRunner.CreateStartInfo(
            setsid,
            ["/bin/sh", "-c", shell, "sh", fileName, .. arguments],
            environment,
            workingDirectory: null);
        startInfo.RedirectStandardOutput = false;
        startInfo.RedirectStandardError = false;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        return new DaemonProcess(process, name, logPath, ProcessRunner.FormatCommandLine(startInfo));
    }

    /// <summary>The daemon's log so far (for failure messages).</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            const int Max = 20_000;
            return text.Length > Max ? "...\n" + text[^Max..] : text;
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns true; fails early if the daemon exits.</summary>
    public async Task WaitUntilReadyAsync(Func<Task<bool>> probe, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{Name} exited with code {_process.ExitCode} before it was ready.\n$ {CommandLine}\n--- log ---\n{ReadLog()}");
            }

            try
            {
                if (await probe())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                // not listening yet
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"{Name} was not ready after {timeout.TotalSeconds:F0} s.\n$ {CommandLine}\n--- log ---\n{ReadLog()}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>Sends SIGTERM to the process group, waits a little, then SIGKILLs what is left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        await SignalGroupAsync("TERM");
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // escalated below
            }
        }

        await SignalGroupAsync("KILL");
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Last resort when the test host exits without disposing: SIGKILL the group.</summary>
    private void KillOnExit(object? sender, EventArgs e)
    {
        if (!_disposed)
        {
            using var kill = Process.Start("/bin/kill", ["-KILL", "--", $"-{_process.Id}"]);
            kill?.WaitForExit(5000);
        }
    }

    private async Task SignalGroupAsync(string signal) =>
        await ProcessRunner.RunAsync("/bin/kill", [$"-{signal}", "--", $"-{_process.Id}"], timeout: TimeSpan.FromSeconds(10));

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
