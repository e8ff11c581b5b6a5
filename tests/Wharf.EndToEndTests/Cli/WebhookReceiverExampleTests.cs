using System.Diagnostics;
using Wharf.EndToEndTests.Faults;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// The README's webhook receiver (<c>docs/examples/webhook-receiver.py</c>, shown verbatim in the README) run with python3
/// against a real <c>wharf serve</c>: it accepts Wharf's signed events and refuses them under the wrong secret.
/// </summary>
public sealed class WebhookReceiverExampleTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-receiver-").FullName;

    private static string Example => Path.Combine(PrivatePostgres.RepositoryRoot(), "docs", "examples", "webhook-receiver.py");

    [Fact]
    public void The_readme_shows_the_example_verbatim()
    {
        var readme = File.ReadAllText(Path.Combine(PrivatePostgres.RepositoryRoot(), "README.md"));
        Assert.Contains("```python\n" + File.ReadAllText(Example) + "```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_webhooks_configuration_is_valid()
    {
        var readme = File.ReadAllText(Path.Combine(PrivatePostgres.RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("```yaml\nWebhooks:", StringComparison.Ordinal) + "```yaml\n".Length;
        var file = Path.Combine(_work, "webhooks.yaml");
        await File.WriteAllTextAsync(file, readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)]);

        await using var validate = WharfProcess.Start(["config", "validate", "--config", file], workingDirectory: _work);
        Assert.True(await validate.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, validate.Output);
    }

    [Theory]
    [InlineData("shared-secret", true)]
    [InlineData("another-secret", false)]
    public async Task The_example_receiver_prints_signed_events_and_refuses_others(string receiverSecret, bool accepted)
    {
        using var receiver = new PythonReceiver(Example, receiverSecret);
        var port = await ReadPortAsync(receiver.Process);
        var environment = new Dictionary<string, string>
        {
            ["WHARF_WEBHOOKS__ENDPOINTS__0__NAME"] = "example",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__URL"] = $"http://127.0.0.1:{port}/",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__SECRET"] = "shared-secret",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__MAXATTEMPTS"] = "1",
        };
        await using var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_work, "data")], environment);
        using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
        var image = await RawPush.ImageAsync(client, "team/app", "v1");

        if (accepted)
        {
            var line = await receiver.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith($"push team/app v1 {image.Digest} - ", line, StringComparison.Ordinal);
        }
        else
        {
            // The one attempt was refused (401): the delivery is dead and the receiver printed nothing.
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            await using var list = WharfProcess.Start(["events", "list", "--state", "dead", "--data", Path.Combine(_work, "data")], environment);
            Assert.Equal(0, await list.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("HTTP 401", list.Output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);


    private static async Task<int> ReadPortAsync(Process receiver)
    {
        var first = await receiver.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("listening on port ", first, StringComparison.Ordinal);
        return int.Parse(first!["listening on port ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The example script, listening on a free port, killed on dispose.</summary>
    private sealed class PythonReceiver : IDisposable
    {
        public PythonReceiver(string script, string secret)
        {
            var start = new ProcessStartInfo(RequiredTool.Find("python3", "python3"), [script, "0"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["WHARF_WEBHOOK_SECRET"] = secret;
            Process = Process.Start(start)!;
        }

        public Process Process { get; }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }
    }
}
