using Wharf.Client;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Client;

/// <summary><see cref="RegistryClient"/> against Wharf with token auth: every request goes through the Bearer challenge.</summary>
public sealed class WharfTokenClientTests : RegistryClientContract
{
    private WharfTestServer? _server;

    protected override async Task<RegistryClient> StartAsync(long chunkSize)
    {
        _server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "token",
            ["Auth:BcryptCost"] = "4",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Users:0"] = "alice",
            ["Auth:Policies:0:Actions:0"] = "*",
        });
        await _server.AddUserAsync("alice", "alice-password");
        return new RegistryClient(new RegistryClientOptions
        {
            BaseAddress = _server.BaseAddress, Username = "alice", Password = "alice-password", ChunkSize = chunkSize,
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wrong_password_is_a_refusal_with_the_registrys_error()
    {
        using var client = new RegistryClient(new RegistryClientOptions { BaseAddress = _server!.BaseAddress, Username = "alice", Password = "wrong" });

        var refused = await Assert.ThrowsAsync<RegistryClientException>(() => client.GetManifestAsync("team/app", "v1"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains(refused.Errors, e => e.Code == "UNAUTHORIZED");
    }
}
