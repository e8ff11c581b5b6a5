using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>skopeo, podman, buildah and ctr signing in to Wharf, in basic mode and in token mode.</summary>
public abstract class AuthClientTests<TFixture>(TFixture fixture, ContainerdFixture containerd)
    where TFixture : AuthRegistryFixture
{
    private const string Alice = "alice:" + AuthRegistryFixture.AlicePassword;
    private const string Bob = "bob:" + AuthRegistryFixture.BobPassword;

    private readonly Skopeo _skopeo = new(fixture.RegistryLog);

    private string RobotCredentials => "robot.ci:" + fixture.RobotToken;

    [Fact]
    public async Task Skopeo_pushes_and_pulls_with_creds_and_fails_with_a_wrong_password()
    {
        var layout = fixture.SingleArchLayout($"auth-skopeo-{fixture.Mode}");
        var reference = fixture.Ref("alice/skopeo");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path, "--dest-creds", Alice);

        Assert.Equal(layout.RootDigest, pushed);
        var copy = fixture.NewDirectory("copy");
        await _skopeo.CopyAsync("docker://" + reference, $"oci:{copy}:v1", "--src-creds", Alice);
        var wrong = await _skopeo.RunAsync("inspect", "--tls-verify=false", "--creds", "alice:wrong", "docker://" + reference);
        Assert.False(wrong.Succeeded);
        Assert.Contains("unauthorized", wrong.Stderr, StringComparison.OrdinalIgnoreCase);
        var none = await _skopeo.RunAsync("inspect", "--tls-verify=false", "--no-creds", "docker://" + reference);
        Assert.False(none.Succeeded);
    }

    [Fact]
    public async Task Skopeo_login_stores_credentials_that_later_commands_use()
    {
        var authFile = Path.Combine(fixture.NewDirectory("auth"), "auth.json");
        var wrong = await _skopeo.RunAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "wrong", fixture.Authority);
        Assert.False(wrong.Succeeded);

        await _skopeo.RunCheckedAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", AuthRegistryFixture.AlicePassword, fixture.Authority);

        var layout = fixture.SingleArchLayout($"auth-login-{fixture.Mode}");
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("alice/login"), fixture.Temp.Path, "--authfile", authFile);
        var inspect = await _skopeo.InspectAsync(fixture.Ref("alice/login"), "--authfile", authFile);
        Assert.Contains(layout.RootDigest, inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_pulls_but_cannot_push_and_anonymous_pulls_only_public_repositories()
    {
        var layout = fixture.SingleArchLayout($"auth-reader-{fixture.Mode}");
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("team/shared"), fixture.Temp.Path, "--dest-creds", Alice);
        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("public/shared"), fixture.Temp.Path, "--dest-creds", Alice);

        await _skopeo.InspectAsync(fixture.Ref("team/shared"), "--creds", Bob);
        var push = await _skopeo.RunAsync("copy", "--dest-tls-verify=false", "--dest-creds", Bob, layout.SkopeoReference, "docker://" + fixture.Ref("team/bob-push"));
        Assert.False(push.Succeeded);
        Assert.Matches("(?i)denied|unauthorized", push.Stderr);

        var anonymous = await _skopeo.InspectAsync(fixture.Ref("public/shared"), "--no-creds");
        Assert.Contains(layout.RootDigest, anonymous.Stdout, StringComparison.Ordinal);
        var anonymousPrivate = await _skopeo.RunAsync("inspect", "--tls-verify=false", "--no-creds", "docker://" + fixture.Ref("team/shared"));
        Assert.False(anonymousPrivate.Succeeded);
        var anonymousPush = await _skopeo.RunAsync("copy", "--dest-tls-verify=false", "--dest-no-creds", layout.SkopeoReference, "docker://" + fixture.Ref("public/anonymous"));
        Assert.False(anonymousPush.Succeeded);
    }

    [Fact]
    public async Task A_robot_limited_to_one_repository_pushes_there_and_cannot_touch_another()
    {
        var layout = fixture.SingleArchLayout($"auth-robot-{fixture.Mode}");

        await _skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("team/ci"), fixture.Temp.Path, "--dest-creds", RobotCredentials);

        var other = await _skopeo.RunAsync("copy", "--dest-tls-verify=false", "--dest-creds", RobotCredentials, layout.SkopeoReference, "docker://" + fixture.Ref("team/other"));
        Assert.False(other.Succeeded);
        var read = await _skopeo.RunAsync("inspect", "--tls-verify=false", "--creds", RobotCredentials, "docker://" + fixture.Ref("alice/skopeo"));
        Assert.False(read.Succeeded);
    }

    [Fact]
    public async Task Podman_logs_in_pushes_and_pulls_and_a_wrong_password_fails()
    {
        var podman = ContainersStorageClient.Podman(fixture.NewDirectory("pm"), fixture.RegistryLog);
        var authFile = Path.Combine(podman.Tmp, "auth.json");
        var layout = fixture.SingleArchLayout($"auth-podman-{fixture.Mode}");
        var reference = fixture.Ref("alice/podman");

        var wrong = await podman.RunAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "wrong", fixture.Authority);
        Assert.False(wrong.Succeeded);
        await podman.RunCheckedAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", AuthRegistryFixture.AlicePassword, fixture.Authority);
        var id = (await podman.RunCheckedAsync("pull", "--quiet", layout.SkopeoReference)).Stdout.Trim();
        await podman.RunCheckedAsync("tag", id, reference);
        await podman.RunCheckedAsync("push", "--tls-verify=false", "--authfile", authFile, reference);
        await podman.RunCheckedAsync("rmi", reference);

        await podman.RunCheckedAsync("pull", "--tls-verify=false", "--authfile", authFile, reference);

        var inspect = await _skopeo.InspectAsync(reference, "--creds", Alice);
        Assert.Contains("amd64", inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Buildah_pushes_with_creds()
    {
        var buildah = ContainersStorageClient.Buildah(fixture.NewDirectory("bh"), fixture.RegistryLog);
        var layout = fixture.SingleArchLayout($"auth-buildah-{fixture.Mode}");
        var id = (await buildah.RunCheckedAsync("pull", "--quiet", layout.SkopeoReference)).Stdout.Trim();

        var wrong = await buildah.RunAsync("push", "--tls-verify=false", "--creds", "alice:wrong", id, "docker://" + fixture.Ref("alice/buildah"));
        Assert.False(wrong.Succeeded);
        var pushed = await buildah.RunWithDigestFileAsync(["push", "--tls-verify=false", "--creds", Alice], id, "docker://" + fixture.Ref("alice/buildah"));

        var inspect = await _skopeo.InspectAsync(fixture.Ref("alice/buildah"), "--creds", Alice);
        Assert.Contains(pushed, inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctr_pushes_and_pulls_with_user_and_fails_without()
    {
        var ctr = new Ctr(containerd, fixture.RegistryLog);
        var layout = fixture.SingleArchLayout($"auth-ctr-{fixture.Mode}");
        var source = fixture.Ref("alice/ctr-source");
        await _skopeo.PushAsync(layout.SkopeoReference, source, fixture.Temp.Path, "--dest-creds", Alice);

        await ctr.RunAsync("images", "pull", "--plain-http", "--user", Alice, source);
        var target = fixture.Ref("alice/ctr");
        await ctr.RunAsync("images", "tag", "--force", source, target);
        await ctr.RunAsync("images", "push", "--plain-http", "--user", Alice, target);

        var inspect = await _skopeo.InspectAsync(target, "--creds", Alice);
        Assert.Contains(layout.RootDigest, inspect.Stdout, StringComparison.Ordinal);
        await ctr.RunAsync("images", "rm", target);
        var anonymous = await ProcessRunner.RunAsync(RequiredTool.Find("ctr", "containerd"), ["--address", containerd.Socket, "--namespace", "wharf-e2e", "images", "pull", "--plain-http", target]);
        Assert.False(anonymous.Succeeded);
    }
}

public sealed class BasicAuthClientTests(BasicAuthRegistryFixture fixture, ContainerdFixture containerd)
    : AuthClientTests<BasicAuthRegistryFixture>(fixture, containerd), IClassFixture<BasicAuthRegistryFixture>, IClassFixture<ContainerdFixture>;

public sealed class TokenAuthClientTests(TokenAuthRegistryFixture fixture, ContainerdFixture containerd)
    : AuthClientTests<TokenAuthRegistryFixture>(fixture, containerd), IClassFixture<TokenAuthRegistryFixture>, IClassFixture<ContainerdFixture>;
