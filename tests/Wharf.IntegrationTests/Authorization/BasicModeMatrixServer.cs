using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The server and callers of the basic-mode matrix (<see cref="BasicModeMatrix"/>): every request carries the role's
/// login as Basic credentials. The expired role's personal access token lives one day; the fake clock then moves two.
/// </summary>
public sealed class BasicModeMatrixServer : IAsyncLifetime
{
    private static readonly string[] AllRights = ["repository:**:pull,push,delete", "registry:catalog:*"];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<MatrixRole, MatrixCredentials> _roles = [];

    public IReadOnlyDictionary<MatrixRole, MatrixCredentials> Roles => _roles;
    private WharfTestServer? _server;
    private HttpClient? _http;

    public WharfTestServer Server => _server!;

    public HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        var admin = MatrixFixture.Users[MatrixRole.Admin];
        _server = await WharfTestServer.StartAsync(MatrixFixture.Settings("basic"), _time, handler: new SigningInHandler(admin, admin + MatrixFixture.Password));
        _http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };
        foreach (var name in MatrixFixture.Users.Values)
        {
            await Server.AddUserAsync(name, name + MatrixFixture.Password);
        }

        var robot = await Server.CreateTokenAsync(MatrixFixture.RobotName, AccessTokenKind.Robot, [MatrixFixture.RobotScope]);
        var expiring = await Server.CreateTokenAsync(admin, AccessTokenKind.Personal, AllRights, TimeSpan.FromDays(1));
        var writer = MatrixFixture.Users[MatrixRole.Writer];
        var revoked = await Server.CreateTokenAsync(writer, AccessTokenKind.Personal, AllRights);
        _time.Advance(TimeSpan.FromDays(2));
        await Server.RevokeTokenAsync(revoked.Id);
        var removed = MatrixFixture.Users[MatrixRole.Removed];
        Assert.True(await Server.Services.GetRequiredService<IUserStore>().DeleteAsync(removed, CancellationToken.None));

        _roles[MatrixRole.None] = new MatrixCredentials();
        _roles[MatrixRole.Anonymous] = new MatrixCredentials();
        foreach (var role in new[] { MatrixRole.Outsider, MatrixRole.Reader, MatrixRole.Writer, MatrixRole.Deleter, MatrixRole.Admin, MatrixRole.Removed })
        {
            _roles[role] = Basic(MatrixFixture.Users[role], MatrixFixture.Users[role] + MatrixFixture.Password);
        }

        _roles[MatrixRole.Robot] = Basic(MatrixFixture.RobotName, robot.Text);
        _roles[MatrixRole.Expired] = Basic(admin, expiring.Text);
        _roles[MatrixRole.Revoked] = Basic(writer, revoked.Text);
        _roles[MatrixRole.OtherAudience] = OtherAudience(admin);

        var registry = new Registry(Server);
        await MatrixFixture.SeedAsync(registry, MatrixFixture.Existing);
        await MatrixFixture.SeedAsync(registry, MatrixFixture.Public);
        await registry.PushBlobAsync(MatrixFixture.MountSource, MatrixFixture.MountFromBlob);
        await registry.PushBlobAsync(MatrixFixture.MountSource, MatrixFixture.MountAnywhereBlob);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static MatrixCredentials Basic(string user, string password)
    {
        var header = Accounts.Basic(user, password);
        return new MatrixCredentials { Registry = header, Api = header, Login = (user, password) };
    }

    /// <summary>A Bearer token signed with the server's key for another service: basic mode takes no Bearer tokens at all.</summary>
    private MatrixCredentials OtherAudience(string admin)
    {
        var options = new AuthOptions { Mode = AuthMode.Token, Token = new TokenOptions { Service = "elsewhere" } };
        var services = Server.Services;
        var issuer = new TokenIssuer(options, services.GetRequiredService<SigningKeys>(), services.GetRequiredService<AccessPolicy>(), _time);
        var jwt = issuer.Issue(new Principal(admin, []), [new Scope(Scope.RepositoryType, MatrixFixture.Existing, AccessActions.All)], offline: false).AccessToken;
        return new MatrixCredentials { Registry = Accounts.Bearer(jwt), Api = Accounts.Bearer(jwt), Login = (admin, jwt) };
    }
}
