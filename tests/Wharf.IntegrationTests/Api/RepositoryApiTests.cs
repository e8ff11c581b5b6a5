using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Services;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>/api/repositories, /api/repository/{name} and /v1/search with auth off, and usage counting.</summary>
public sealed class RepositoryApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private WharfTestServer? _server;

    private WharfTestServer Server => _server!;

    private Registry Registry => new(Server);

    public async Task InitializeAsync() => _server = await WharfTestServer.StartAsync(new Dictionary<string, string?>(), _time);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ApiClient Api() => new(Server);

    private Task FlushAsync() => Server.Services.GetRequiredService<UsageRecorder>().FlushAsync(CancellationToken.None);

    [Fact]
    public async Task Search_ranks_name_matches_before_description_matches_and_both_endpoints_agree()
    {
        foreach (var name in new[] { "team/webapp", "app", "tools", "app-server", "unrelated" })
        {
            await Registry.PushImageAsync(name, "v1");
        }

        using var api = Api();
        Assert.Equal(200, (await api.PutAsync("/api/repository/tools", """{"description": "Helpers for every APP we ship"}""")).Status);

        Assert.Equal(["app", "app-server", "team/webapp", "tools"], await api.RepositoriesAsync("?q=app"));
        Assert.Equal(["app", "app-server", "team/webapp", "tools"], await api.SearchAsync("app"));
        Assert.Equal(["tools"], await api.SearchAsync("helpers for"));
        Assert.Equal(["app", "app-server", "team/webapp", "tools", "unrelated"], await api.RepositoriesAsync());
    }

    [Fact]
    public async Task Repositories_list_pages_and_sorts_with_figures_and_times()
    {
        for (var i = 0; i < 5; i++)
        {
            await Registry.PushImageAsync($"svc/{i}", "v1");
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        await FlushAsync();
        using var api = Api();

        var (status, body) = await api.GetAsync("/api/repositories?sort=pushed&page=2&perPage=2");

        Assert.Equal(200, status);
        Assert.Equal("", body.GetProperty("query").GetString());
        Assert.Equal((2, 2, 5), (body.GetProperty("page").GetInt32(), body.GetProperty("perPage").GetInt32(), body.GetProperty("total").GetInt32()));
        var items = body.GetProperty("repositories").EnumerateArray().ToList();
        Assert.Equal(["svc/2", "svc/1"], items.Select(r => r.GetProperty("name").GetString()));
        var first = items[0];
        Assert.Equal("2026-02-03T04:07:06Z", first.GetProperty("lastPushedAt").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("lastPulledAt").ValueKind);
        Assert.Equal((0, 1, ""), (first.GetProperty("pullCount").GetInt32(), first.GetProperty("tagCount").GetInt32(), first.GetProperty("description").GetString()));
        Assert.Equal(["svc/0", "svc/1"], await api.RepositoriesAsync("?sort=pushed&order=asc&perPage=2"));
        Assert.Equal(["svc/4", "svc/3"], await api.RepositoriesAsync("?sort=name&order=desc&perPage=2"));
    }

    [Fact]
    public async Task A_manifest_GET_counts_as_a_pull_and_HEAD_does_not_per_repository_and_per_digest()
    {
        var image = await Registry.PushImageAsync("team/app", "v1");
        for (var i = 0; i < 3; i++)
        {
            using var get = await Registry.GetAsync("/v2/team/app/manifests/v1");
            Assert.Equal(200, (int)get.StatusCode);
        }

        using (var byDigest = await Registry.GetAsync($"/v2/team/app/manifests/{image.Digest}"))
        using (var head = await Registry.HeadAsync("/v2/team/app/manifests/v1"))
        using (var missing = await Registry.GetAsync("/v2/team/app/manifests/nope"))
        {
            Assert.Equal(404, (int)missing.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        await FlushAsync();

        using var api = Api();
        var (_, body) = await api.GetAsync("/api/repository/team/app");
        Assert.Equal(4, body.GetProperty("pullCount").GetInt32());
        Assert.Equal("2026-02-03T04:05:06Z", body.GetProperty("lastPulledAt").GetString());
        Assert.Equal("2026-02-03T04:05:06Z", body.GetProperty("lastPushedAt").GetString());
        var pulls = await Server.Services.GetRequiredService<Wharf.Core.Metadata.IPullStatsReader>()
            .GetManifestPullsAsync("team/app", [Wharf.Core.Protocol.Digest.TryParse(image.Digest, out var d) ? d : throw new InvalidOperationException()], CancellationToken.None);
        Assert.Equal(4, pulls[d].Count);
    }

    [Fact]
    public async Task The_background_flush_writes_counts_when_its_interval_passes()
    {
        await Registry.PushImageAsync("team/app", "v1");
        using (var get = await Registry.GetAsync("/v2/team/app/manifests/v1"))
        {
            Assert.Equal(200, (int)get.StatusCode);
        }

        using var api = Api();
        Assert.Equal(0, (await api.GetAsync("/api/repository/team/app")).Body.GetProperty("pullCount").GetInt32());

        _time.Advance(new UsageOptions().FlushInterval);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await api.GetAsync("/api/repository/team/app")).Body.GetProperty("pullCount").GetInt32() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the flush did not run after its interval");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Counts_are_flushed_when_the_server_stops()
    {
        var data = Path.Combine(Path.GetTempPath(), "wharf-test-" + Guid.NewGuid().ToString("N"));
        var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>(), _time, dataDirectory: data);
        try
        {
            var registry = new Registry(server);
            await registry.PushImageAsync("team/app", "v1");
            using (var get = await registry.GetAsync("/v2/team/app/manifests/v1"))
            {
                Assert.Equal(200, (int)get.StatusCode);
            }

            await server.DisposeAsync();
            await using var restarted = await WharfTestServer.StartAsync(new Dictionary<string, string?>(), _time, dataDirectory: data);
            using var api = new ApiClient(restarted);

            Assert.Equal(1, (await api.GetAsync("/api/repository/team/app")).Body.GetProperty("pullCount").GetInt32());
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            if (ScaleOutBackend.Requested)
            {
                await (await ScaleOutBackend.ForDataDirectoryAsync(data)).DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Description_and_readme_are_set_and_read_back()
    {
        await Registry.PushImageAsync("team/app", "v1");
        using var api = Api();

        var (status, body) = await api.PutAsync("/api/repository/team/app", """{"description": "The app", "readme": "# App\n\nRun it."}""");
        var (_, again) = await api.PutAsync("/api/repository/team/app", """{"readme": "# App v2"}""");

        Assert.Equal(200, status);
        Assert.Equal("The app", body.GetProperty("description").GetString());
        Assert.Equal("# App\n\nRun it.", body.GetProperty("readme").GetString());
        Assert.Equal(("The app", "# App v2"), (again.GetProperty("description").GetString(), again.GetProperty("readme").GetString()));
        var (_, read) = await api.GetAsync("/api/repository/team/app");
        Assert.Equal("# App v2", read.GetProperty("readme").GetString());
        Assert.Equal(1, read.GetProperty("tagCount").GetInt32());
        var permissions = read.GetProperty("permissions");
        Assert.True(permissions.GetProperty("pull").GetBoolean() && permissions.GetProperty("push").GetBoolean() && permissions.GetProperty("delete").GetBoolean());
    }

    [Theory]
    [InlineData("not json", 400, "UNSUPPORTED")]
    [InlineData("[1]", 400, "UNSUPPORTED")]
    [InlineData("""{"description": 5}""", 400, "UNSUPPORTED")]
    [InlineData("""{"description": "two\nlines"}""", 400, "UNSUPPORTED")]
    [InlineData("""{"readme": "nul \u0000"}""", 400, "UNSUPPORTED")]
    public async Task An_invalid_body_is_refused_and_changes_nothing(string json, int status, string code)
    {
        await Registry.PushImageAsync("team/app", "v1");
        using var api = Api();

        var (actual, body) = await api.PutAsync("/api/repository/team/app", json);

        Assert.Equal((status, code), (actual, ApiClient.ErrorCode(body)));
        Assert.Equal("", (await api.GetAsync("/api/repository/team/app")).Body.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Limits_are_300_characters_of_description_and_64_KiB_of_readme()
    {
        await Registry.PushImageAsync("team/app", "v1");
        using var api = Api();

        Assert.Equal(200, (await api.PutAsync("/api/repository/team/app", JsonSerializer.Serialize(new { description = new string('d', 300), readme = new string('r', 65536) }))).Status);
        Assert.Equal(400, (await api.PutAsync("/api/repository/team/app", JsonSerializer.Serialize(new { description = new string('d', 301) }))).Status);
        Assert.Equal(400, (await api.PutAsync("/api/repository/team/app", JsonSerializer.Serialize(new { readme = new string('r', 65537) }))).Status);
    }

    [Fact]
    public async Task Unknown_and_invalid_repositories()
    {
        using var api = Api();

        var (getStatus, getBody) = await api.GetAsync("/api/repository/no/such");
        var (putStatus, putBody) = await api.PutAsync("/api/repository/no/such", """{"description": "x"}""");
        var (invalidStatus, invalidBody) = await api.GetAsync("/api/repository/Bad_Name");

        Assert.Equal((404, "NAME_UNKNOWN"), (getStatus, ApiClient.ErrorCode(getBody)));
        Assert.Equal((404, "NAME_UNKNOWN"), (putStatus, ApiClient.ErrorCode(putBody)));
        Assert.Equal((400, "NAME_INVALID"), (invalidStatus, ApiClient.ErrorCode(invalidBody)));
        Assert.Empty(await api.RepositoriesAsync());
    }

    [Theory]
    [InlineData("/api/repositories?perPage=0")]
    [InlineData("/api/repositories?perPage=101")]
    [InlineData("/api/repositories?page=0")]
    [InlineData("/api/repositories?page=x")]
    [InlineData("/api/repositories?sort=stars")]
    [InlineData("/api/repositories?order=up")]
    [InlineData("/v1/search?n=abc")]
    [InlineData("/v1/search?page=0")]
    public async Task Invalid_parameters_are_400(string path)
    {
        using var api = Api();

        var (status, body) = await api.GetAsync(path);

        Assert.Equal((400, "UNSUPPORTED"), (status, ApiClient.ErrorCode(body)));
    }

    [Fact]
    public async Task V1_search_answers_in_the_form_docker_and_podman_read_with_n_and_page()
    {
        for (var i = 0; i < 7; i++)
        {
            await Registry.PushImageAsync($"lib/tool-{i}", "v1");
        }

        using var api = Api();
        Assert.Equal(200, (await api.PutAsync("/api/repository/lib/tool-3", """{"description": "The third tool"}""")).Status);

        var (status, body) = await api.GetAsync("/v1/search?q=TOOL&n=3&page=2");

        Assert.Equal(200, status);
        Assert.Equal(7, body.GetProperty("num_results").GetInt32());
        Assert.Equal(3, body.GetProperty("num_pages").GetInt32());
        Assert.Equal(2, body.GetProperty("page").GetInt32());
        Assert.Equal(3, body.GetProperty("page_size").GetInt32());
        Assert.Equal("TOOL", body.GetProperty("query").GetString());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["lib/tool-3", "lib/tool-4", "lib/tool-5"], results.Select(r => r.GetProperty("name").GetString()));
        var third = results[0];
        Assert.Equal("The third tool", third.GetProperty("description").GetString());
        Assert.Equal(0, third.GetProperty("star_count").GetInt32());
        Assert.False(third.GetProperty("is_official").GetBoolean());
        Assert.False(third.GetProperty("is_automated").GetBoolean());
        Assert.Equal(100, (await api.GetAsync("/v1/search?q=tool&n=1000")).Body.GetProperty("page_size").GetInt32());
        Assert.Equal(25, (await api.GetAsync("/v1/search")).Body.GetProperty("page_size").GetInt32());
    }
}
