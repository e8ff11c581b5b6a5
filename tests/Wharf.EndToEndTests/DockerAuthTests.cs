using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>
/// <c>docker login</c> through a real engine (dockerd 20.10) and with the docker CLI alone (its client-side
/// login, when no engine answers), against Wharf in basic and in token mode, then <c>docker push</c> and <c>pull</c>.
/// </summary>
public sealed class DockerAuthTests : IClassFixture<BasicAuthRegistryFixture>, IClassFixture<TokenAuthRegistryFixture>, IClassFixture<DockerEngineFixture>
{
    private readonly BasicAuthRegistryFixture _basic;
    private readonly TokenAuthRegistryFixture _token;
    private readonly DockerEngineFixture _engine;

    public DockerAuthTests(BasicAuthRegistryFixture basic, TokenAuthRegistryFixture token, DockerEngineFixture engine)
    {
        _basic = basic;
        _token = token;
        _engine = engine;
    }

    public static TheoryData<string> Modes => ["basic", "token"];

    private AuthRegistryFixture Registry(string mode) => mode == "basic" ? _basic : _token;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Docker_login_through_the_engine_then_push_and_pull(string mode)
    {
        var registry = Registry(mode);
        var docker = new DockerCli(_engine, registry.RegistryLog);
        var reference = registry.Ref("alice/docker-engine-" + mode);

        await LoginAsync(docker, registry, "alice", AuthRegistryFixture.AlicePassword);
        var pushed = await LoadTagAndPushAsync(docker, registry, reference);
        await docker.RunAsync("rmi", reference);
        var pulled = await docker.PullAsync(reference);

        Assert.Equal(pushed, pulled);
        if (mode == "token")
        {
            // docker login kept the refresh token (identity token) and the engine traded it in with the OAuth2 form.
            Assert.Contains("identitytoken", await File.ReadAllTextAsync(Path.Combine(_engine.ConfigDirectory, "config.json")), StringComparison.Ordinal);
            Assert.Contains("POST /auth/token 200", registry.RegistryLog(), StringComparison.Ordinal);
        }

        await docker.RunAsync("logout", registry.Authority);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Docker_CLI_login_without_an_engine_stores_credentials_the_engine_then_uses(string mode)
    {
        var registry = Registry(mode);
        var docker = new DockerCli(_engine, registry.RegistryLog);
        var config = registry.NewDirectory("docker-config");
        var cli = RequiredTool.Find("docker", "docker.io");
        var clientOnly = new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = "unix://" + Path.Combine(config, "no-engine.sock"),
            ["DOCKER_CONFIG"] = config,
            ["DOCKER_CLI_HINTS"] = "false",
        };

        var wrong = await ProcessRunner.RunAsync(cli, ["login", "-u", "alice", "-p", "wrong", registry.Authority], clientOnly);
        Assert.False(wrong.Succeeded);
        var login = await ProcessRunner.RunAsync(cli, ["login", "-u", "alice", "-p", AuthRegistryFixture.AlicePassword, registry.Authority], clientOnly);
        Assert.True(login.Succeeded, login.Describe());
        foreach (var file in Directory.GetFiles(config))
        {
            File.Copy(file, Path.Combine(_engine.ConfigDirectory, Path.GetFileName(file)), overwrite: true);
        }

        var reference = registry.Ref("alice/docker-cli-" + mode);
        var pushed = await LoadTagAndPushAsync(docker, registry, reference);
        await docker.RunAsync("rmi", reference);
        Assert.Equal(pushed, await docker.PullAsync(reference));
        await docker.RunAsync("logout", registry.Authority);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Docker_login_with_a_wrong_password_fails_and_a_reader_cannot_push(string mode)
    {
        var registry = Registry(mode);
        var docker = new DockerCli(_engine, registry.RegistryLog);
        var cli = RequiredTool.Find("docker", "docker.io");

        var wrong = await ProcessRunner.RunAsync(cli, ["login", "-u", "alice", "-p", "wrong", registry.Authority], _engine.Environment());

        Assert.False(wrong.Succeeded);
        await LoginAsync(docker, registry, "bob", AuthRegistryFixture.BobPassword);
        var local = await LoadAsync(docker, registry, registry.Ref("team/bob-" + mode));
        var push = await ProcessRunner.RunAsync(cli, ["push", local], _engine.Environment(), timeout: TimeSpan.FromSeconds(90));
        Assert.False(push.Succeeded);
        Assert.Matches("(?i)denied|unauthorized|authentication required", push.Stdout + push.Stderr);
        await docker.RunAsync("logout", registry.Authority);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Docker_logs_in_as_a_robot_with_its_token(string mode)
    {
        var registry = Registry(mode);
        var docker = new DockerCli(_engine, registry.RegistryLog);

        await LoginAsync(docker, registry, "robot.ci", registry.RobotToken);

        var reference = registry.Ref("team/ci", "docker-" + mode);
        var pushed = await LoadTagAndPushAsync(docker, registry, reference);
        await docker.RunAsync("rmi", reference);
        Assert.Equal(pushed, await docker.PullAsync(reference));
        await docker.RunAsync("logout", registry.Authority);
    }

    /// <summary>
    /// Token mode only: in basic mode dockerd, told by <c>GET /v2/</c> to use Basic and holding no credentials,
    /// refuses to send anything ("no basic auth credentials"), as it does with Distribution's htpasswd.
    /// </summary>
    [Fact]
    public async Task Docker_pulls_a_public_repository_anonymously_in_token_mode_and_cannot_push_to_it()
    {
        const string mode = "token";
        var registry = Registry(mode);
        var docker = new DockerCli(_engine, registry.RegistryLog);
        var layout = registry.SingleArchLayout("docker-public-" + mode);
        var reference = registry.Ref("public/docker-" + mode);
        var pushed = await new Skopeo(registry.RegistryLog).PushAsync(
            layout.SkopeoReference, reference, registry.Temp.Path, "--format", "v2s2", "--dest-creds", "alice:" + AuthRegistryFixture.AlicePassword);
        await ProcessRunner.RunAsync(RequiredTool.Find("docker", "docker.io"), ["logout", registry.Authority], _engine.Environment());

        Assert.Equal(pushed, await docker.PullAsync(reference));

        var other = registry.Ref("public/docker-anonymous-" + mode);
        await docker.RunAsync("tag", reference, other);
        var push = await ProcessRunner.RunAsync(RequiredTool.Find("docker", "docker.io"), ["push", other], _engine.Environment(), timeout: TimeSpan.FromSeconds(90));
        Assert.False(push.Succeeded);
    }

    private static Task LoginAsync(DockerCli docker, AuthRegistryFixture registry, string user, string password) =>
        docker.RunAsync("login", "-u", user, "-p", password, registry.Authority);

    private static async Task<string> LoadTagAndPushAsync(DockerCli docker, AuthRegistryFixture registry, string reference)
    {
        await LoadAsync(docker, registry, reference);
        return await docker.PushAsync(reference);
    }

    /// <summary>Loads a fresh image into the engine under <paramref name="reference"/> (skopeo writes a docker-archive).</summary>
    private static async Task<string> LoadAsync(DockerCli docker, AuthRegistryFixture registry, string reference)
    {
        var layout = registry.SingleArchLayout("docker-auth");
        var archive = Path.Combine(registry.NewDirectory("archive"), "image.tar");
        await new Skopeo(registry.RegistryLog).CopyAsync(layout.SkopeoReference, $"docker-archive:{archive}:{reference}");
        await docker.RunAsync("load", "--input", archive);
        return reference;
    }
}
