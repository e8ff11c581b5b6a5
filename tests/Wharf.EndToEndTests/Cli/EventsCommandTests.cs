using System.Text.Json;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf events list|replay</c> as an operator uses them: a dead delivery is listed, replayed, and sent again by the next server.</summary>
public sealed class EventsCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-events-").FullName;

    private string Data => Path.Combine(_work, "data");

    [Fact]
    public async Task A_dead_delivery_is_listed_replayed_and_delivered_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500;
        var environment = new Dictionary<string, string>
        {
            ["WHARF_WEBHOOKS__ENDPOINTS__0__NAME"] = "ci",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__URL"] = receiver.Url.ToString(),
            ["WHARF_WEBHOOKS__ENDPOINTS__0__MAXATTEMPTS"] = "1",
        };
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            await RawPush.ImageAsync(client, "team/app", "v1");
            await receiver.WaitForAsync(all => all.Count >= 1, TimeSpan.FromSeconds(30), "the first attempt");
            // A graceful stop lets the dispatcher record the answer it got.
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var dead = Lines(await RunCheckedAsync(environment, "events", "list", "--state", "dead"));
        var fields = Assert.Single(dead).Split('\t');
        Assert.Equal(["ci", "dead", "1", "manifest.push", "team/app", "v1", "HTTP 500"], fields[2..]);
        Assert.Empty(Lines(await RunCheckedAsync(environment, "events", "list", "--state", "pending")));

        var (refusedCode, refused) = await RunAsync(environment, "events", "replay");
        Assert.NotEqual(0, refusedCode);
        Assert.Contains("--event SEQ, --endpoint NAME, or --all", refused, StringComparison.Ordinal);
        Assert.Contains("1 dead delivery back in line", await RunCheckedAsync(environment, "events", "replay", "--event", fields[0]), StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await RunCheckedAsync(environment, "events", "list", "--json")))
        {
            var delivery = Assert.Single(json.RootElement.GetProperty("deliveries").EnumerateArray());
            Assert.Equal("pending", delivery.GetProperty("state").GetString());
            Assert.Equal(0, delivery.GetProperty("attempts").GetInt32());
        }

        receiver.Status = 200;
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            await server.WaitUntilListeningAsync();
            await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(30));
            // A graceful stop lets the dispatcher record the 200 it got (a kill right after the receiver answered could not).
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Single(receiver.Received.Select(r => r.Headers["Wharf-Event-Id"]).Distinct());
        Assert.Equal("done", Lines(await RunCheckedAsync(environment, "events", "list")).Single().Split('\t')[3]);
    }

    [Fact]
    public async Task A_repository_deleted_from_the_command_line_is_reported_as_the_account_that_ran_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["WHARF_WEBHOOKS__ENDPOINTS__0__NAME"] = "ci",
            ["WHARF_WEBHOOKS__ENDPOINTS__0__URL"] = receiver.Url.ToString(),
        };
        await using (var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Data], environment))
        {
            using var client = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
            await RawPush.ImageAsync(client, "team/app", "v1");
            await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(30));
            await RunCheckedAsync(environment, "repo", "delete", "team/app");
            await receiver.WaitForAcceptedAsync(2, TimeSpan.FromSeconds(30)); // the running server sends what the command wrote
        }

        using var deleted = JsonDocument.Parse(receiver.Accepted[1].Body);
        var e = deleted.RootElement.GetProperty("events")[0];
        Assert.Equal("delete", e.GetProperty("action").GetString());
        Assert.Equal("team/app", e.GetProperty("target").GetProperty("repository").GetString());
        Assert.Equal(Environment.UserName, e.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("wharf-cli", e.GetProperty("request").GetProperty("useragent").GetString());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static List<string> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    private async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Data], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, wharf.Output);
    }

    private async Task<string> RunCheckedAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(environment, arguments);
        Assert.True(exitCode == 0, $"wharf {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }
}
