using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// The real <c>wharf</c> executable (the Wharf.dll built next to the tests) run as a child process,
/// the way an operator runs it.
/// </summary>
internal sealed partial class WharfProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WharfProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id, to read its <c>/proc</c> figures (resident memory, open files).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <param name="launcher">A program (and its arguments) that execs <c>dotnet Wharf.dll …</c> in its own place, e.g. under a
    /// system-call filter; the process keeps its id.</param>
    public static WharfProcess Start(
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? launcher = null)
    {
        var startInfo = new ProcessStartInfo(launcher is null ? "dotnet" : launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var argument in launcher is null ? [] : launcher.Skip(1).Append("dotnet"))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Wharf.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("WHARF_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var wharf = new WharfProcess(process);
        process.OutputDataReceived += (_, e) => wharf.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => wharf.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wharf;
    }

    /// <summary>Waits for the "listening" log line and returns the address it names.</summary>
    public async Task<Uri> WaitUntilListeningAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != _listening.Task)
        {
            throw new InvalidOperationException($"wharf did not start listening. Output:\n{Output}");
        }

        return await _listening.Task;
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>docker stop</c> would.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        await SignalTerminateAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and returns at once, leaving the process to shut down (drain) on its own.</summary>
    public async Task SignalTerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Sends SIGKILL: the process dies at once, wherever it is, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL sent from this process (no <c>kill</c> to start first), for kills aimed at a moment.</summary>
    public async Task KillNowAsync()
    {
        TryKill();
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Sends SIGKILL as soon as <paramref name="due"/> holds (or the process has exited), watched on a thread of its own:
    /// with many tests running at once a starved thread pool ran a polling loop's continuations late, and a fast
    /// process finished what it was to be killed in the middle of.
    /// </summary>
    public async Task KillWhenAsync(Func<bool> due)
    {
        await Task.Factory.StartNew(() =>
        {
            while (!_process.HasExited && !due())
            {
                Thread.Sleep(1);
            }

            TryKill();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await _process.WaitForExitAsync();
    }

    private void TryKill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            var address = match.Groups[1].Value.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
            _listening.TrySetResult(new Uri(address));
        }
    }

    [GeneratedRegex(@"Wharf is listening on (https?://\S+) with data")]
    private static partial Regex ListeningLine();
}
