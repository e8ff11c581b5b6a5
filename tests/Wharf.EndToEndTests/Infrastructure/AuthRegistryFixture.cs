using Wharf.Core.Metadata;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// A Wharf with access control on (always Wharf: these tests are about Wharf's accounts). Users: alice (owns
/// alice/**, may push team/** and public/**), bob (group readers: pulls team/**), and the robot robot.ci
/// (pull and push on team/ci only); everyone may pull public/**.
/// </summary>
/// <remarks>With <paramref name="defaultThrottle"/> the login throttle keeps its defaults (10 failures per user and address).</remarks>
public abstract class AuthRegistryFixture(string mode, bool defaultThrottle = false) : RegistryFixture
{
    public const string AlicePassword = "alice-Secret-1";
    public const string BobPassword = "bob-Secret-2";

    public string Mode { get; } = mode;

    /// <summary>The robot's password (a <c>wharf_…</c> token), for the username <c>robot.ci</c>.</summary>
    public string RobotToken { get; private set; } = "";

    public WharfTestServer Server => ((WharfRegistry)Registry).Server;

    protected override async Task<ITestRegistry> StartRegistryAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = Mode,
            ["Auth:BcryptCost"] = "6",
            ["Auth:Anonymous:0:Repositories"] = "public/**",
            ["Auth:Anonymous:0:Actions:0"] = "pull",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Groups:0"] = "readers",
            ["Auth:Policies:0:Actions:0"] = "pull",
            ["Auth:Policies:1:Repositories"] = "team/**",
            ["Auth:Policies:1:Users:0"] = "alice",
            ["Auth:Policies:1:Actions:0"] = "*",
            ["Auth:Policies:2:Repositories"] = "public/**",
            ["Auth:Policies:2:Users:0"] = "alice",
            ["Auth:Policies:2:Actions:0"] = "*",
        };
        if (!defaultThrottle)
        {
            // Every client here connects from 127.0.0.1 and several tests try wrong passwords on purpose;
            // throttling itself is tested at integration level with a fake clock.
            settings["Auth:Throttle:MaxFailures"] = "1000";
            settings["Auth:Throttle:MaxFailuresPerAddress"] = "1000";
        }

        var server = await WharfTestServer.StartAsync(settings);
        await server.AddUserAsync("alice", AlicePassword);
        await server.AddUserAsync("bob", BobPassword, "readers");
        RobotToken = (await server.CreateTokenAsync("robot.ci", AccessTokenKind.Robot, ["repository:team/ci:pull,push"])).Text;
        return new WharfRegistry(server);
    }
}

public sealed class BasicAuthRegistryFixture() : AuthRegistryFixture("basic");

public sealed class TokenAuthRegistryFixture() : AuthRegistryFixture("token");

/// <summary>Basic mode with the login throttle's defaults, for what real clients do to it.</summary>
public sealed class DefaultThrottleRegistryFixture() : AuthRegistryFixture("basic", defaultThrottle: true);
