using System.Net;
using Microsoft.AspNetCore.Builder;
using Wharf.Hosting;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// Boots every configuration in examples/ as written, overriding only the listen address, the data directory and
/// the engines' addresses, credentials, bucket prefix and schema (so that the test runs beside others).
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class ExampleConfigTests
{
    [Fact]
    public async Task Single_node_example_serves_a_push_and_pull()
    {
        using var data = new TempDirectory("wharf-example");
        await using var app = await StartAsync("single-node.yaml", Overrides(data.Path, null));
        await PushAndPullAsync(app.Uri, app.Uri);
    }

    [Fact]
    public async Task S3_postgres_example_serves_a_push_and_pull()
    {
        using var data = new TempDirectory("wharf-example");
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var app = await StartAsync("s3-postgres.yaml", Overrides(data.Path, backend));
        await PushAndPullAsync(app.Uri, app.Uri);
    }

    [Fact]
    public async Task Two_instances_example_shares_pushes_between_the_instances()
    {
        using var data = new TempDirectory("wharf-example");
        await using var backend = await ScaleOutBackend.CreateAsync();
        await using var a = await StartAsync("two-instances/a.yaml", Overrides(Path.Combine(data.Path, "a"), backend));
        await using var b = await StartAsync("two-instances/b.yaml", Overrides(Path.Combine(data.Path, "b"), backend));
        await PushAndPullAsync(a.Uri, b.Uri);
        await PushAndPullAsync(b.Uri, a.Uri);
    }

    private static Dictionary<string, string?> Overrides(string data, ScaleOutBackend? backend)
    {
        var overrides = new Dictionary<string, string?> { ["Listen"] = "127.0.0.1:0", ["Data"] = data };
        if (backend is not null)
        {
            foreach (var key in new[] { "Storage:S3:Endpoint", "Storage:S3:AccessKey", "Storage:S3:SecretKey", "Storage:S3:Bucket", "Storage:S3:Prefix", "Metadata:PostgreSql:ConnectionString", "Metadata:PostgreSql:Schema" })
            {
                overrides[key] = backend.Settings[key];
            }
        }

        return overrides;
    }

    private static async Task<RunningExample> StartAsync(string file, Dictionary<string, string?> overrides)
    {
        var path = Path.Combine(ExamplesDirectory(), file);
        var app = WharfHost.Build(WharfConfiguration.Build(path, overrides));
        var uri = await WharfHost.StartAsync(app);
        return new RunningExample(app, new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"));
    }

    private static async Task PushAndPullAsync(Uri pushTo, Uri pullFrom)
    {
        using var push = new HttpClient { BaseAddress = pushTo };
        using var pull = new HttpClient { BaseAddress = pullFrom };
        var blob = TestBlobs.Random(4096);
        var digest = Digests.Sha256(blob);
        using var start = await push.PostAsync("/v2/example/app/blobs/uploads/", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        using var put = await push.PutAsync(Registry.PutUrl(start.Headers.Location!.OriginalString, digest), new ByteArrayContent(blob));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        Assert.Equal(blob, await pull.GetByteArrayAsync($"/v2/example/app/blobs/{digest}"));
    }

    private static string ExamplesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (File.Exists(Path.Combine(candidate, "single-node.yaml")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("examples/ not found above " + AppContext.BaseDirectory);
    }

    private sealed record RunningExample(WebApplication App, Uri Uri) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
