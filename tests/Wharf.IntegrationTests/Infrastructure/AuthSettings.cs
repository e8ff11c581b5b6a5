using Wharf.TestKit;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Configuration for auth tests: alice, bob and carol, a team rule, a public namespace, a cheap bcrypt.</summary>
public static class AuthSettings
{
    public static Dictionary<string, string?> For(string mode) => new()
    {
        ["Auth:Mode"] = mode,
        ["Auth:BcryptCost"] = "4",
        ["Auth:Anonymous:0:Repositories"] = "public/**",
        ["Auth:Anonymous:0:Actions:0"] = "pull",
        ["Auth:Policies:0:Repositories"] = "team/**",
        ["Auth:Policies:0:Groups:0"] = "readers",
        ["Auth:Policies:0:Actions:0"] = "pull",
        ["Auth:Policies:1:Repositories"] = "team/**",
        ["Auth:Policies:1:Users:0"] = "alice",
        ["Auth:Policies:1:Actions:0"] = "pull",
        ["Auth:Policies:1:Actions:1"] = "push",
        ["Auth:Policies:1:Actions:2"] = "delete",
        ["Auth:Policies:2:Repositories"] = "public/**",
        ["Auth:Policies:2:Users:0"] = "alice",
        ["Auth:Policies:2:Actions:0"] = "*",
    };

    /// <summary>Adds the users the settings speak of: alice, bob (group readers) and carol (in no rule); each one's password is its name + "-password".</summary>
    public static async Task AddUsersAsync(WharfTestServer server)
    {
        await server.AddUserAsync("alice", "alice-password");
        await server.AddUserAsync("bob", "bob-password", "readers");
        await server.AddUserAsync("carol", "carol-password");
    }
}
