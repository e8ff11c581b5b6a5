using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>A Wharf with auth off, whatever WHARF_TEST_REGISTRY says: search is Wharf's own (Distribution has none).</summary>
public sealed class OpenWharfFixture : RegistryFixture
{
    protected override async Task<ITestRegistry> StartRegistryAsync() => new WharfRegistry(await WharfTestServer.StartAsync());
}

/// <summary>
/// <c>docker search</c> through a real engine (dockerd 20.10, which calls <c>GET /v1/search</c>) and <c>podman search</c>
/// (podman 4, the same endpoint) find repositories by name and by description, and list only what their user may pull.
/// </summary>
public sealed class SearchClientTests : IClassFixture<OpenWharfFixture>, IClassFixture<BasicAuthRegistryFixture>, IClassFixture<TokenAuthRegistryFixture>, IClassFixture<DockerEngineFixture>
{
    private readonly OpenWharfFixture _open;
    private readonly BasicAuthRegistryFixture _basic;
    private readonly TokenAuthRegistryFixture _token;
    private readonly DockerEngineFixture _engine;

    public SearchClientTests(OpenWharfFixture open, BasicAuthRegistryFixture basic, TokenAuthRegistryFixture token, DockerEngineFixture engine)
    {
        _open = open;
        _basic = basic;
        _token = token;
        _engine = engine;
    }

    public static TheoryData<string> Modes => ["basic", "token"];

    private AuthRegistryFixture Secured(string mode) => mode == "basic" ? _basic : _token;

    [Fact]
    public async Task Docker_search_finds_repositories_by_name_and_by_description()
    {
        await PushAsync(_open, "shop/web-frontend", null);
        await PushAsync(_open, "shop/payments", null);
        await DescribeAsync(_open, "shop/payments", "Payment service behind the web frontend", null);
        var docker = new DockerCli(_engine, _open.RegistryLog);

        var byName = await SearchWithDockerAsync(docker, $"{_open.Authority}/frontend");
        var byDescription = await SearchWithDockerAsync(docker, $"{_open.Authority}/behind the web");

        // The name match ranks before the description match.
        Assert.Equal([("shop/web-frontend", ""), ("shop/payments", "Payment service behind the web frontend")], byName);
        Assert.Equal([("shop/payments", "Payment service behind the web frontend")], byDescription);
        Assert.Contains("GET /v1/search", _open.RegistryLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Podman_search_finds_repositories_by_name_and_by_description()
    {
        await PushAsync(_open, "garden/rake", null);
        await PushAsync(_open, "garden/hose", null);
        await DescribeAsync(_open, "garden/hose", "Waters what the rake left", null);
        var podman = ContainersStorageClient.Podman(_open.NewDirectory("pm"), _open.RegistryLog);

        var byName = await SearchWithPodmanAsync(podman, $"{_open.Authority}/rake");
        var byDescription = await SearchWithPodmanAsync(podman, $"{_open.Authority}/waters what");

        // podman shows the registry in front of each name.
        Assert.Equal([($"{_open.Authority}/garden/rake", ""), ($"{_open.Authority}/garden/hose", "Waters what the rake left")], byName);
        Assert.Equal([($"{_open.Authority}/garden/hose", "Waters what the rake left")], byDescription);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Docker_search_after_login_lists_only_what_the_user_may_pull(string mode)
    {
        var registry = Secured(mode);
        var alice = Accounts.Basic("alice", AuthRegistryFixture.AlicePassword);
        await PushAsync(registry, $"team/vault-{mode}", alice);
        await PushAsync(registry, $"alice/vault-{mode}", alice);
        await DescribeAsync(registry, $"alice/vault-{mode}", "alice's own vault", alice);
        var docker = new DockerCli(_engine, registry.RegistryLog);

        await docker.RunAsync("login", "-u", "bob", "-p", AuthRegistryFixture.BobPassword, registry.Authority);
        var asBob = await SearchWithDockerAsync(docker, $"{registry.Authority}/vault-{mode}");
        await docker.RunAsync("login", "-u", "alice", "-p", AuthRegistryFixture.AlicePassword, registry.Authority);
        var asAlice = await SearchWithDockerAsync(docker, $"{registry.Authority}/vault-{mode}");
        await docker.RunAsync("logout", registry.Authority);

        Assert.Equal([$"team/vault-{mode}"], asBob.Select(r => r.Name));
        Assert.Equal([$"alice/vault-{mode}", $"team/vault-{mode}"], asAlice.Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>podman sends no credentials to /v1/search: with public repositories configured it sees those, anonymously.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Podman_search_with_auth_on_lists_the_public_repositories(string mode)
    {
        var registry = Secured(mode);
        var alice = Accounts.Basic("alice", AuthRegistryFixture.AlicePassword);
        await PushAsync(registry, $"public/lamp-{mode}", alice);
        await PushAsync(registry, $"team/lamp-{mode}", alice);
        var podman = ContainersStorageClient.Podman(registry.NewDirectory("pm"), registry.RegistryLog);

        var found = await SearchWithPodmanAsync(podman, $"{registry.Authority}/lamp-{mode}");

        Assert.Equal([$"{registry.Authority}/public/lamp-{mode}"], found.Select(r => r.Name));
    }

    private static async Task PushAsync(RegistryFixture registry, string repository, AuthenticationHeaderValue? credentials)
    {
        var layout = registry.SingleArchLayout(repository.Replace('/', '-'), dataBytes: 4096);
        string[] options = credentials is null ? [] : ["--dest-creds", Encoding.UTF8.GetString(Convert.FromBase64String(credentials.Parameter!))];
        await new Skopeo(registry.RegistryLog).PushAsync(layout.SkopeoReference, registry.Ref(repository), registry.Temp.Path, options);
    }

    /// <summary>Sets a description through the JSON API, as the web UI does.</summary>
    private static async Task DescribeAsync(RegistryFixture registry, string repository, string description, AuthenticationHeaderValue? credentials)
    {
        using var http = new HttpClient { BaseAddress = registry.Registry.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/repository/" + repository)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { description }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = credentials;
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT /api/repository/{repository}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<List<(string Name, string Description)>> SearchWithDockerAsync(DockerCli docker, string term) =>
        Rows((await docker.RunAsync("search", "--no-trunc", "--format", "{{.Name}}\t{{.Description}}", term)).Stdout);

    private static async Task<List<(string Name, string Description)>> SearchWithPodmanAsync(ContainersStorageClient podman, string term) =>
        Rows((await podman.RunCheckedAsync("search", "--tls-verify=false", "--no-trunc", "--format", "{{.Name}}\t{{.Description}}", term)).Stdout);

    private static List<(string Name, string Description)> Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t', 2))
            .Select(cells => (cells[0].Trim(), cells.Length > 1 ? cells[1].Trim() : ""))];
}
