using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The server and callers of the token-mode matrix (<see cref="TokenModeMatrix"/>), shared by its tests. The expired role's credentials are issued first and
/// the fake clock is then moved past every lifetime (31 days); everything else is issued after.
/// </summary>
public sealed class TokenModeMatrixServer : IAsyncLifetime
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
        _server = await WharfTestServer.StartAsync(MatrixFixture.Settings("token"), _time, handler: new SigningInHandler(admin, admin + MatrixFixture.Password));
        _http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };
        foreach (var name in MatrixFixture.Users.Values)
        {
            await Server.AddUserAsync(name, name + MatrixFixture.Password);
        }

        var robot = await Server.CreateTokenAsync(MatrixFixture.RobotName, AccessTokenKind.Robot, [MatrixFixture.RobotScope]);
        var expiring = await Server.CreateTokenAsync(admin, AccessTokenKind.Personal, AllRights, TimeSpan.FromDays(1));
        var writerToken = await Server.CreateTokenAsync(MatrixFixture.Users[MatrixRole.Writer], AccessTokenKind.Personal, AllRights);
        var removedToken = await Server.CreateTokenAsync(MatrixFixture.Users[MatrixRole.Removed], AccessTokenKind.Personal, AllRights);

        var adminLogin = MatrixFixture.Login(MatrixRole.Admin);
        var expiredRefresh = await RefreshTokenAsync(adminLogin);
        _roles[MatrixRole.Expired] = new MatrixCredentials
        {
            Registry = Accounts.Bearer(await AccessTokenAsync(adminLogin)),
            Session = await SignInAsync(adminLogin),
            Login = (admin, expiring.Text),
            RefreshToken = () => Task.FromResult(expiredRefresh),
        };
        _time.Advance(TimeSpan.FromDays(31));

        _roles[MatrixRole.None] = new MatrixCredentials();
        _roles[MatrixRole.Anonymous] = new MatrixCredentials { Registry = Accounts.Bearer(await AccessTokenAsync(null)) };
        foreach (var role in new[] { MatrixRole.Outsider, MatrixRole.Reader, MatrixRole.Writer, MatrixRole.Deleter, MatrixRole.Admin })
        {
            _roles[role] = await SignedInAsync(MatrixFixture.Login(role));
        }

        _roles[MatrixRole.Robot] = await SignedInAsync((MatrixFixture.RobotName, robot.Text));
        _roles[MatrixRole.OtherAudience] = OtherAudience(admin);

        var writerLogin = (MatrixFixture.Users[MatrixRole.Writer], writerToken.Text);
        var revokedRefresh = await RefreshTokenAsync(writerLogin);
        _roles[MatrixRole.Revoked] = new MatrixCredentials
        {
            Registry = Accounts.Bearer(await AccessTokenAsync(writerLogin)),
            Session = await SignInAsync(writerLogin),
            Login = writerLogin,
            RefreshToken = () => Task.FromResult(revokedRefresh),
        };
        await Server.RevokeTokenAsync(writerToken.Id);

        // A removed user's access tokens issued for a personal access token die with it (they are checked per request);
        // one issued for the password lives out its Auth:Token:Lifetime, by design (docs/design/auth.md, Races).
        var removedLogin = MatrixFixture.Login(MatrixRole.Removed);
        var removedRefresh = await RefreshTokenAsync(removedLogin);
        _roles[MatrixRole.Removed] = new MatrixCredentials
        {
            Registry = Accounts.Bearer(await AccessTokenAsync((removedLogin.User, removedToken.Text))),
            Session = await SignInAsync(removedLogin),
            Login = removedLogin,
            RefreshToken = () => Task.FromResult(removedRefresh),
        };
        Assert.True(await Server.Services.GetRequiredService<IUserStore>().DeleteAsync(removedLogin.User, CancellationToken.None));

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

    private async Task<MatrixCredentials> SignedInAsync((string User, string Password) login) => new()
    {
        Registry = Accounts.Bearer(await AccessTokenAsync(login)),
        Session = await SignInAsync(login),
        Login = login,
        RefreshToken = () => RefreshTokenAsync(login),
    };

    /// <summary>Tokens of the admin signed with the server's key, but for the service "elsewhere".</summary>
    private MatrixCredentials OtherAudience(string admin)
    {
        var options = new AuthOptions { Mode = AuthMode.Token, Token = new TokenOptions { Service = "elsewhere" } };
        var services = Server.Services;
        var issuer = new TokenIssuer(options, services.GetRequiredService<SigningKeys>(), services.GetRequiredService<AccessPolicy>(), _time);
        var issued = issuer.Issue(new Principal(admin, []), Scope.ParseAll(AllScopes()), offline: true);

        // Presented as a password it must fit a sign-in body (4 KiB), so that it is refused as a credential rather than for its size.
        var small = issuer.Issue(new Principal(admin, []), [new Scope(Scope.RepositoryType, MatrixFixture.Existing, AccessActions.All)], offline: false);
        return new MatrixCredentials
        {
            Registry = Accounts.Bearer(issued.AccessToken),
            Api = Accounts.Bearer(issued.AccessToken),
            Login = (admin, small.AccessToken),
            RefreshToken = () => Task.FromResult(issued.RefreshToken!),
        };
    }

    /// <summary>Every scope a matrix request may need: all actions on every repository it names, and the catalog.</summary>
    private static List<string> AllScopes()
    {
        var repositories = new List<string> { MatrixFixture.Existing, MatrixFixture.Public, MatrixFixture.MountSource };
        repositories.AddRange(Enumerable.Range(0, TokenModeMatrix.Rows.Count).Select(i => MatrixFixture.Repository(MatrixTarget.Missing, i)));
        return [.. repositories.Select(r => $"repository:{r}:pull,push,delete"), "registry:catalog:*"];
    }

    private async Task<string> AccessTokenAsync((string User, string Password)? login)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/token?service=wharf" + string.Concat(AllScopes().Select(s => "&scope=" + Uri.EscapeDataString(s))));
        if (login is { } credentials)
        {
            request.Headers.Authorization = Accounts.Basic(credentials.User, credentials.Password);
        }

        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private async Task<string> RefreshTokenAsync((string User, string Password) login)
    {
        using var response = await Http.PostAsync("/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = login.User,
            ["password"] = login.Password,
            ["access_type"] = "offline",
            ["service"] = "wharf",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("refresh_token").GetString()!;
    }

    private async Task<string> SignInAsync((string User, string Password) login)
    {
        using var response = await Http.PostAsync("/api/session", new StringContent(
            JsonSerializer.Serialize(new { username = login.User, password = login.Password }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["wharf_session=".Length..];
    }
}
