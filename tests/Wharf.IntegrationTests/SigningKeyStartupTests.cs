using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Wharf.Auth;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Where a server's token signing keys come from: the metadata store by default, a key directory when configured, the legacy directory once.</summary>
public sealed class SigningKeyStartupTests
{
    private static ISigningKeyStore KeyStore(WharfTestServer server) => server.Services.GetRequiredService<ISigningKeyStore>();

    [Fact]
    public async Task With_a_key_directory_the_keys_are_files_readable_only_by_their_owner_and_none_is_stored()
    {
        using var temp = new TempDirectory("wharf-keydir");
        var settings = AuthSettings.For("token");
        settings["Auth:Token:KeyDirectory"] = temp.Combine("keys");
        await using var server = await WharfTestServer.StartAsync(settings);
        await server.AddUserAsync("alice", "alice-password");

        var token = await new TokenClient(server).TokenAsync(Accounts.Basic("alice", "alice-password"));

        var file = Assert.Single(Directory.GetFiles(temp.Combine("keys")));
        Assert.Equal(SigningKeys.LoadOrCreate(temp.Combine("keys"), "ES256").Credentials.Key.KeyId, new JsonWebToken(token).Kid);
        Assert.Empty(await KeyStore(server).ListAsync(CancellationToken.None));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.Combine("keys")));
        }
    }

    [Fact]
    public async Task Basic_mode_has_a_signing_key_too_and_none_has_none()
    {
        await using var basic = await WharfTestServer.StartAsync(AuthSettings.For("basic"));
        await using var none = await WharfTestServer.StartAsync();

        var stored = Assert.Single(await KeyStore(basic).ListAsync(CancellationToken.None));
        Assert.Equal(stored.Kid, basic.Services.GetRequiredService<SigningKeys>().Credentials.Key.KeyId);
        Assert.Null(none.Services.GetService<SigningKeys>());
        Assert.Empty(await KeyStore(none).ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_token_issued_before_a_restart_is_accepted_after_it()
    {
        using var temp = new TempDirectory("wharf-restart");
        string token;
        await using (var first = await WharfTestServer.StartAsync(AuthSettings.For("token"), dataDirectory: temp.Path))
        {
            await first.AddUserAsync("alice", "alice-password");
            token = await new TokenClient(first).TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/app:pull");
        }

        await using var second = await WharfTestServer.StartAsync(AuthSettings.For("token"), dataDirectory: temp.Path);
        second.Client.DefaultRequestHeaders.Authorization = Accounts.Bearer(token);

        using var pull = await new Registry(second).GetAsync("/v2/alice/app/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode); // past the gate: the repository does not exist
    }

    [Fact]
    public async Task A_token_signed_by_a_key_another_instance_created_after_this_one_started_is_accepted()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"));
        var time = server.Services.GetRequiredService<TimeProvider>();
        var options = new AuthOptions { Mode = AuthMode.Token, Token = new TokenOptions { Algorithm = "RS256" } };
        var other = new SigningKeys(new StoredSigningKeySource(KeyStore(server), time, NullLogger<StoredSigningKeySource>.Instance), "RS256", time);
        await other.InitializeAsync(CancellationToken.None); // creates an RS256 key this server has not loaded
        var issued = new TokenIssuer(options, other, new AccessPolicy(options), time)
            .Issue(new Principal("alice", []), [new Scope(Scope.RepositoryType, "alice/app", AccessActions.Pull)], offline: false);
        server.Client.DefaultRequestHeaders.Authorization = Accounts.Bearer(issued.AccessToken);

        using var pull = await new Registry(server).GetAsync("/v2/alice/app/tags/list");

        Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode);
        Assert.Equal(2, server.Services.GetRequiredService<SigningKeys>().All.Count);
    }

    [Fact]
    public async Task Keys_of_the_default_directory_of_earlier_versions_are_imported_and_their_tokens_stay_valid()
    {
        using var temp = new TempDirectory("wharf-upgrade");
        var legacy = SigningKeys.LoadOrCreate(Path.Combine(temp.Path, "auth-keys"), "ES256");
        var options = new AuthOptions { Mode = AuthMode.Token };
        var issued = new TokenIssuer(options, legacy, new AccessPolicy(options), TimeProvider.System)
            .Issue(new Principal("alice", []), [new Scope(Scope.RepositoryType, "alice/app", AccessActions.Pull)], offline: false);

        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"), dataDirectory: temp.Path);
        server.Client.DefaultRequestHeaders.Authorization = Accounts.Bearer(issued.AccessToken);

        using var pull = await new Registry(server).GetAsync("/v2/alice/app/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, pull.StatusCode);
        Assert.Equal(legacy.Credentials.Key.KeyId, Assert.Single(await KeyStore(server).ListAsync(CancellationToken.None)).Kid);
    }
}
