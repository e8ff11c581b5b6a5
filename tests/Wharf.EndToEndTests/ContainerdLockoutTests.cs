using System.Text.RegularExpressions;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>
/// containerd's resolver resends the same Basic credentials on every request of a push. With a mistyped password that
/// used to count as a dozen failed logins and lock the user (and everyone behind the address) out for five minutes;
/// with the login throttle's defaults it must count once.
/// </summary>
public sealed partial class ContainerdLockoutTests(DefaultThrottleRegistryFixture fixture, ContainerdFixture containerd)
    : IClassFixture<DefaultThrottleRegistryFixture>, IClassFixture<ContainerdFixture>
{
    private const string Alice = "alice:" + AuthRegistryFixture.AlicePassword;
    private const string Bob = "bob:" + AuthRegistryFixture.BobPassword;

    [Fact]
    public async Task A_ctr_push_with_a_mistyped_password_locks_out_neither_the_right_password_nor_other_users()
    {
        var skopeo = new Skopeo(fixture.RegistryLog);
        var ctr = new Ctr(containerd, fixture.RegistryLog);
        var layout = fixture.SingleArchLayout("lockout-ctr");
        var source = fixture.Ref("alice/lockout-source");
        await skopeo.PushAsync(layout.SkopeoReference, source, fixture.Temp.Path, "--dest-creds", Alice);
        await ctr.RunAsync("images", "pull", "--plain-http", "--user", Alice, source);
        var target = fixture.Ref("alice/lockout");
        await ctr.RunAsync("images", "tag", "--force", source, target);
        var refusedBefore = Refusals(fixture.RegistryLog());

        var mistyped = await ProcessRunner.RunAsync(
            RequiredTool.Find("ctr", "containerd"), ["--address", containerd.Socket, "--namespace", "wharf-e2e", "images", "push", "--plain-http", "--user", "alice:alice-Secret-l", target]);

        Assert.False(mistyped.Succeeded);
        var refused = Refusals(fixture.RegistryLog()) - refusedBefore;
        Assert.True(refused >= 2, $"ctr was refused {refused} times"); // the same wrong credentials, resent
        await ctr.RunAsync("images", "push", "--plain-http", "--user", Alice, target);
        await skopeo.PushAsync(layout.SkopeoReference, fixture.Ref("bob/after-lockout"), fixture.Temp.Path, "--dest-creds", Bob);
    }

    private static int Refusals(string log) => RefusedRequest().Count(log);

    [GeneratedRegex(@" 401 ")]
    private static partial Regex RefusedRequest();
}
