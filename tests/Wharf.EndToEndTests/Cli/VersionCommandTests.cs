using System.Text.RegularExpressions;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf version</c>, <c>wharf --version</c> and <c>wharf healthcheck</c> as an operator (or a container engine) runs them.</summary>
public sealed partial class VersionCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-cli-").FullName;

    [Fact]
    public async Task Version_prints_one_line_with_version_commit_build_date_and_runtime()
    {
        await using var wharf = WharfProcess.Start(["version"]);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{wharf.Output}");
        var line = wharf.Output.Trim();
        var match = VersionLine().Match(line);
        Assert.True(match.Success, line);
        // The tests' build passes no -p:Version: a dev build, whose version carries the commit the SDK recorded.
        Assert.Equal($"0.0.0-dev+{match.Groups["commit"].Value}", match.Groups["version"].Value);
        Assert.Equal(Environment.Version.ToString(), match.Groups["runtime"].Value);
    }

    [Fact]
    public async Task Dash_dash_version_prints_the_same_line_as_the_version_command()
    {
        await using var command = WharfProcess.Start(["version"]);
        await command.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await using var option = WharfProcess.Start(["--version"]);
        var exitCode = await option.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{option.Output}");
        Assert.Equal(command.Output, option.Output);
    }

    [Fact]
    public async Task Healthcheck_exits_0_while_the_server_answers_and_1_once_it_is_gone()
    {
        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")]);
        var address = await server.WaitUntilListeningAsync();
        var listen = $"0.0.0.0:{address.Port}"; // as WHARF_LISTEN is set in the container image: probed on loopback

        await using (var healthy = WharfProcess.Start(["healthcheck"], new Dictionary<string, string> { ["WHARF_LISTEN"] = listen }))
        {
            var exitCode = await healthy.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{healthy.Output}");
            Assert.Contains($"http://127.0.0.1:{address.Port}/healthz: 200", healthy.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(20)));
        await using var gone = WharfProcess.Start(["healthcheck", "--listen", listen]);
        var goneExit = await gone.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(goneExit == 1, $"exit code {goneExit}\n{gone.Output}");
        Assert.Contains("did not answer", gone.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [GeneratedRegex(@"^wharf (?<version>\S+) \(commit (?<commit>[0-9a-f]{12}), built (?<built>\S+), \.NET (?<runtime>[0-9.]+\S*)\)$")]
    private static partial Regex VersionLine();
}
