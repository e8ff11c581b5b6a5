using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Auth;
using Wharf.Core.Metadata;

namespace Wharf.TestKit;

/// <summary>Users and access tokens put straight into a test server's metadata store, and the headers to present them.</summary>
public static class Accounts
{
    public static async Task AddUserAsync(this WharfTestServer server, string name, string password, params string[] groups)
    {
        var hasher = server.Services.GetRequiredService<PasswordHasher>();
        var time = server.Services.GetRequiredService<TimeProvider>();
        Assert(await server.Services.GetRequiredService<IUserStore>().CreateAsync(new UserRecord(name, hasher.Hash(password), groups, time.GetUtcNow()), CancellationToken.None));
    }

    /// <summary>Creates a token and returns its id and the password text (<c>wharf_…</c>).</summary>
    public static async Task<(string Id, string Text)> CreateTokenAsync(
        this WharfTestServer server, string subject, AccessTokenKind kind, IReadOnlyList<string> scopes, TimeSpan? lifetime = null)
    {
        var time = server.Services.GetRequiredService<TimeProvider>();
        var (id, secret, text) = AccessTokenSecret.Create();
        var now = time.GetUtcNow();
        Assert(await server.Services.GetRequiredService<IAccessTokenStore>().CreateAsync(
            new AccessTokenRecord(id, subject, kind, AccessTokenSecret.Hash(secret), scopes, "test", now, now + lifetime, null), CancellationToken.None));
        return (id, text);
    }

    public static async Task RevokeTokenAsync(this WharfTestServer server, string id) =>
        Assert(await server.Services.GetRequiredService<IAccessTokenStore>().RevokeAsync(id, server.Services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None));

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    private static void Assert(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("the account store refused a test account");
        }
    }
}
