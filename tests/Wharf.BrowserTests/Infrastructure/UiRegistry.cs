using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Services;
using Wharf.TestKit;

namespace Wharf.BrowserTests.Infrastructure;

/// <summary>
/// A real Wharf in basic auth mode, seeded for the browser tests:
/// <list type="bullet">
/// <item><c>public/hello</c>, public (anyone may pull): tag <c>latest</c>, a description and a README.</item>
/// <item><c>team/app</c>, private: tags <c>v1</c> (a test kit image), <c>v2</c> (<see cref="ShowcaseImage"/>) and
/// <c>multi</c> (an amd64 + arm64 index).</item>
/// <item><c>team/tools</c>, private: tag <c>v1</c>.</item>
/// </list>
/// alice may do everything in <c>team/**</c> and <c>public/**</c>; bob may only pull <c>team/**</c>; carol has no rights
/// beyond what anonymous callers have.
/// </summary>
public sealed class UiRegistry : IAsyncDisposable
{
    public const string AlicePassword = "alice-password";
    public const string BobPassword = "bob-password";
    public const string CarolPassword = "carol-password";

    public const string HelloReadme = """
        # Hello

        A **tiny** image that says hello. See [the docs](https://example.com/docs) or `docker run` it:

        ```sh
        docker run --rm hello
        ```

        | Tag | What |
        |-----|------|
        | latest | the newest build |

        - small
        - *friendly*

        <script>window.__wharfXss = 1</script><img src=x onerror="window.__wharfXss = 2">
        [click me](javascript:window.__wharfXss=3)
        """;

    private UiRegistry(WharfTestServer server, OciImage appV1, OciImage appV2, string multiDigest)
    {
        Server = server;
        AppV1 = appV1;
        AppV2 = appV2;
        MultiDigest = multiDigest;
    }

    public WharfTestServer Server { get; }

    /// <summary>The image tagged <c>team/app:v1</c>.</summary>
    public OciImage AppV1 { get; }

    /// <summary>The image tagged <c>team/app:v2</c>: the <see cref="ShowcaseImage"/>.</summary>
    public OciImage AppV2 { get; }

    /// <summary>The digest of the index tagged <c>team/app:multi</c>.</summary>
    public string MultiDigest { get; }

    public Uri BaseAddress => Server.BaseAddress;

    public static async Task<UiRegistry> StartAsync()
    {
        var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "basic",
            ["Quotas:Namespaces:team"] = "1GiB",
            ["Auth:BcryptCost"] = "4",
            ["Auth:Anonymous:0:Repositories"] = "public/**",
            ["Auth:Anonymous:0:Actions:0"] = "pull",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Users:0"] = "alice",
            ["Auth:Policies:0:Actions:0"] = "*",
            ["Auth:Policies:1:Repositories"] = "public/**",
            ["Auth:Policies:1:Users:0"] = "alice",
            ["Auth:Policies:1:Actions:0"] = "*",
            ["Auth:Policies:2:Repositories"] = "team/**",
            ["Auth:Policies:2:Users:0"] = "bob",
            ["Auth:Policies:2:Actions:0"] = "pull",
        });
        try
        {
            await server.AddUserAsync("alice", AlicePassword);
            await server.AddUserAsync("bob", BobPassword);
            await server.AddUserAsync("carol", CarolPassword);

            using var alice = new HttpClient { BaseAddress = server.BaseAddress };
            alice.DefaultRequestHeaders.Authorization = Accounts.Basic("alice", AlicePassword);
            var pusher = new ImagePusher(alice);
            await pusher.PushImageAsync("public/hello", OciLayoutBuilder.CreateImage("hello", dataBytes: 2048), "latest");
            var appV1 = OciLayoutBuilder.CreateImage("app-v1", dataBytes: 64 * 1024);
            await pusher.PushImageAsync("team/app", appV1, "v1");
            var showcase = ShowcaseImage.Create();
            await pusher.PushImageAsync("team/app", showcase, "v2");
            var multi = await pusher.PushIndexAsync("team/app", [OciLayoutBuilder.CreateImage("app-multi", "amd64", dataBytes: 4096), OciLayoutBuilder.CreateImage("app-multi", "arm64", dataBytes: 4096)], "multi");
            await pusher.PushImageAsync("team/tools", OciLayoutBuilder.CreateImage("tools", dataBytes: 1024), "v1");

            await DescribeAsync(alice, "public/hello", "A friendly greeting image", HelloReadme);
            await DescribeAsync(alice, "team/app", "The team's web application", "# team/app\n\nBuilt from `main` on every merge.\n");
            await DescribeAsync(alice, "team/tools", "Build tools for the team", null);
            await PullAsync(alice, "public/hello", "latest", 5);
            await PullAsync(alice, "team/app", "v2", 3);
            await PullAsync(alice, "team/app", "v1", 1);

            // Pulls and pushes are counted in memory and written in batches: write them now.
            await server.Services.GetRequiredService<UsageRecorder>().FlushAsync(CancellationToken.None);
            return new UiRegistry(server, appV1, showcase, multi);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task PullAsync(HttpClient client, string repository, string tag, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{tag}");
            request.Headers.Accept.ParseAdd(OciLayoutMediaTypes.OciManifest);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task DescribeAsync(HttpClient client, string repository, string description, string? readme)
    {
        using var response = await client.PutAsJsonAsync($"/api/repository/{repository}", new { description, readme = readme ?? "" });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /api/repository/{repository} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
