using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Auth:Mode token: the Bearer challenge, the token service (GET and OAuth2 POST), JWT validation.</summary>
public sealed class TokenAuthTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _keys = new("wharf-issuer");
    private ECDsa? _externalKey;
    private WharfTestServer? _server;

    private WharfTestServer Server => _server!;

    private Registry Registry => new(Server);

    private TokenClient Tokens => new(Server);

    public async Task InitializeAsync()
    {
        _externalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = _keys.Combine("sso.pem");
        await File.WriteAllTextAsync(publicKey, _externalKey.ExportSubjectPublicKeyInfoPem());
        var settings = AuthSettings.For("token");
        settings["Auth:Token:TrustedIssuers:0:Issuer"] = "https://sso.example";
        settings["Auth:Token:TrustedIssuers:0:Keys"] = publicKey;
        _server = await WharfTestServer.StartAsync(settings, _time);
        await Server.AddUserAsync("alice", "alice-password");
        await Server.AddUserAsync("bob", "bob-password", "readers");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _externalKey?.Dispose();
        _keys.Dispose();
    }

    private void WithToken(string? token) => Server.Client.DefaultRequestHeaders.Authorization = token is null ? null : Accounts.Bearer(token);

    [Fact]
    public async Task Without_a_token_the_registry_answers_401_with_a_Bearer_challenge_naming_the_scope()
    {
        using var ping = await Registry.GetAsync("/v2/");
        using var pull = await Registry.GetAsync("/v2/alice/app/manifests/v1");
        using var push = await Registry.SendAsync(HttpMethod.Post, "/v2/alice/app/blobs/uploads/", []);
        using var catalog = await Registry.GetAsync("/v2/_catalog");

        var realm = $"Bearer realm=\"{Server.BaseAddress}auth/token\",service=\"wharf\"";
        Assert.Equal(HttpStatusCode.Unauthorized, ping.StatusCode);
        Assert.Equal(realm, ping.Headers.WwwAuthenticate.ToString());
        Assert.Equal(realm + ",scope=\"repository:alice/app:pull\"", pull.Headers.WwwAuthenticate.ToString());
        Assert.Equal(realm + ",scope=\"repository:alice/app:pull,push\"", push.Headers.WwwAuthenticate.ToString());
        Assert.Equal(realm + ",scope=\"registry:catalog:*\"", catalog.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_from_the_service_grants_what_policy_allows_and_pushes_and_pulls()
    {
        var token = await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/app:pull,push", "repository:bob/app:pull,push");

        Assert.Equal(["repository:alice/app:pull,push"], TokenClient.Access(token));
        WithToken(token);
        var image = await Registry.PushImageAsync("alice/app", "v1");
        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("alice/app", "v1"));
        Assert.Equal(image.Config.Size, (await Registry.GetBlobBytesAsync("alice/app", image.Config.Digest)).Length);
        using var ping = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task The_token_answer_has_the_fields_clients_read()
    {
        var (status, body, response) = await Tokens.GetAsync(Accounts.Basic("alice", "alice-password"), "account=alice", "client_id=docker", "offline_token=true");
        response.Dispose();

        Assert.Equal(HttpStatusCode.OK, status);
        var json = body!.Value;
        Assert.Equal(json.GetProperty("token").GetString(), json.GetProperty("access_token").GetString());
        Assert.Equal(300, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("2026-01-01T00:00:00Z", json.GetProperty("issued_at").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("refresh_token").GetString()));
        Assert.Empty(TokenClient.Access(json.GetProperty("token").GetString()!));
    }

    [Fact]
    public async Task Repeated_scope_parameters_are_all_granted()
    {
        var token = await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:team/a:pull", "repository:alice/b:pull,push", "registry:catalog:*");

        Assert.Equal(["repository:team/a:pull", "repository:alice/b:pull,push", "registry:catalog:*"], TokenClient.Access(token));
    }

    [Fact]
    public async Task A_wrong_password_gets_no_token()
    {
        var (status, _, response) = await Tokens.GetAsync(Accounts.Basic("alice", "nope"), "scope=repository:alice/app:pull");
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }
    }

    [Fact]
    public async Task A_token_without_the_scope_gets_insufficient_scope_and_the_answer_does_not_reveal_existence()
    {
        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/secret:pull,push"));
        await Registry.PushImageAsync("alice/secret", "v1");
        WithToken(await Tokens.TokenAsync(Accounts.Basic("bob", "bob-password"), "repository:alice/secret:pull", "repository:alice/missing:pull"));

        using var existing = await Registry.GetAsync("/v2/alice/secret/manifests/v1");
        using var missing = await Registry.GetAsync("/v2/alice/missing/manifests/v1");

        Assert.Equal(HttpStatusCode.Unauthorized, existing.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", existing.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(existing.StatusCode, missing.StatusCode);
        Assert.Equal(await existing.Content.ReadAsStringAsync(), await missing.Content.ReadAsStringAsync());
        Assert.Equal(existing.Headers.WwwAuthenticate.ToString().Replace("secret", "missing", StringComparison.Ordinal), missing.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_anonymous_token_holds_only_anonymous_rights()
    {
        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:public/tools:pull,push"));
        await Registry.PushImageAsync("public/tools", "v1");

        var anonymous = await Tokens.TokenAsync(null, "repository:public/tools:pull,push", "repository:alice/app:pull");

        Assert.Equal(["repository:public/tools:pull"], TokenClient.Access(anonymous));
        WithToken(anonymous);
        Assert.Equal(HttpStatusCode.OK, await Registry.ManifestStatusAsync("public/tools", "v1"));
        using var push = await Registry.SendAsync(HttpMethod.Post, "/v2/public/tools/blobs/uploads/", []);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Contains("insufficient_scope", push.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_refused_after_the_clock_skew()
    {
        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/app:pull"));

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(20));
        using (var withinSkew = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        using var expired = await Registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task The_OAuth2_form_gives_a_refresh_token_that_yields_access_tokens_until_the_user_is_removed()
    {
        var (status, body, response) = await Tokens.PostAsync(
            ("grant_type", "password"), ("username", "alice"), ("password", "alice-password"), ("service", "wharf"), ("client_id", "docker"), ("access_type", "offline"));
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var refresh = body!.Value.GetProperty("refresh_token").GetString()!;

        var (refreshed, refreshedBody, refreshedResponse) = await Tokens.PostAsync(
            ("grant_type", "refresh_token"), ("refresh_token", refresh), ("service", "wharf"), ("client_id", "docker"), ("scope", "repository:alice/app:pull,push repository:team/x:pull"));
        refreshedResponse.Dispose();
        Assert.Equal(HttpStatusCode.OK, refreshed);
        Assert.Equal(["repository:alice/app:pull,push", "repository:team/x:pull"], TokenClient.Access(refreshedBody!.Value.GetProperty("access_token").GetString()!));

        WithToken(refresh);
        using (var refreshAsAccess = await Registry.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refreshAsAccess.StatusCode);
        }

        await Server.Services.GetService<IUserStore>()!.DeleteAsync("alice", CancellationToken.None);
        var (gone, _, goneResponse) = await Tokens.PostAsync(("grant_type", "refresh_token"), ("refresh_token", refresh), ("service", "wharf"));
        goneResponse.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, gone);
    }

    [Fact]
    public async Task A_JWT_issued_for_a_personal_token_stops_at_once_when_the_token_is_revoked()
    {
        var (id, pat) = await Server.CreateTokenAsync("alice", AccessTokenKind.Personal, ["repository:alice/**:pull,push"]);
        var jwt = await Tokens.TokenAsync(Accounts.Basic("alice", pat), "repository:alice/app:pull,push", "repository:team/x:pull");
        Assert.Equal(["repository:alice/app:pull,push"], TokenClient.Access(jwt));
        WithToken(jwt);
        await Registry.PushImageAsync("alice/app", "v1");

        await Server.RevokeTokenAsync(id);

        using var revoked = await Registry.HeadAsync("/v2/alice/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        var (status, _, response) = await Tokens.GetAsync(Accounts.Basic("alice", pat), "scope=repository:alice/app:pull");
        response.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_robot_token_limited_to_one_repository_cannot_touch_another()
    {
        var (_, robot) = await Server.CreateTokenAsync("robot.ci", AccessTokenKind.Robot, ["repository:team/app:pull,push"]);

        var jwt = await Tokens.TokenAsync(Accounts.Basic("robot.ci", robot), "repository:team/app:pull,push", "repository:team/other:pull,push");

        Assert.Equal(["repository:team/app:pull,push"], TokenClient.Access(jwt));
        WithToken(jwt);
        await Registry.PushImageAsync("team/app", "v1");
        using var other = await Registry.SendAsync(HttpMethod.Post, "/v2/team/other/blobs/uploads/", []);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task Tokens_of_a_trusted_issuer_are_accepted_and_forged_ones_refused()
    {
        WithToken(ExternalToken("https://sso.example", _externalKey!, "wharf"));
        Assert.Equal(HttpStatusCode.NotFound, await Registry.ManifestStatusAsync("team/app", "v1"));

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var forged in new[]
        {
            ExternalToken("https://sso.example", otherKey, "wharf"),
            ExternalToken("wharf", _externalKey!, "wharf"),
            ExternalToken("https://sso.example", _externalKey!, "another-service"),
        })
        {
            WithToken(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, await Registry.ManifestStatusAsync("team/app", "v1"));
        }
    }

    [Fact]
    public async Task A_mount_from_another_repository_needs_pull_on_it_in_the_token_as_the_challenge_says()
    {
        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:team/source:pull,push"));
        var image = await Registry.PushImageAsync("team/source", "v1");
        var mount = $"/v2/alice/target/blobs/uploads/?mount={image.Config.Digest}&from=team/source";
        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/target:pull,push"));

        using (var without = await Registry.SendAsync(HttpMethod.Post, mount, []))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
            Assert.Contains("scope=\"repository:alice/target:pull,push repository:team/source:pull\",error=\"insufficient_scope\"", without.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        WithToken(await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"), "repository:alice/target:pull,push repository:team/source:pull"));
        using var with = await Registry.SendAsync(HttpMethod.Post, mount, []);
        Assert.Equal(HttpStatusCode.Created, with.StatusCode);
    }

    [Fact]
    public async Task The_token_service_throttles_repeated_failed_logins()
    {
        for (var i = 0; i < 10; i++)
        {
            var (failed, _, failedResponse) = await Tokens.GetAsync(Accounts.Basic("bob", "guess-" + i));
            failedResponse.Dispose();
            Assert.Equal(HttpStatusCode.Unauthorized, failed);
        }

        var (status, _, response) = await Tokens.GetAsync(Accounts.Basic("bob", "bob-password"));
        using (response)
        {
            Assert.Equal((HttpStatusCode)429, status);
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
        }

        var (form, _, formResponse) = await Tokens.PostAsync(("grant_type", "password"), ("username", "bob"), ("password", "bob-password"));
        formResponse.Dispose();
        Assert.Equal((HttpStatusCode)429, form);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.NotEmpty(await Tokens.TokenAsync(Accounts.Basic("bob", "bob-password")));
    }

    [Fact]
    public async Task The_signing_key_is_created_at_first_start_in_the_metadata_store_and_signs_every_token()
    {
        var token = await Tokens.TokenAsync(Accounts.Basic("alice", "alice-password"));

        var stored = Assert.Single(await Server.Services.GetRequiredService<ISigningKeyStore>().ListAsync(CancellationToken.None));
        Assert.Equal(("ES256", 1), (stored.Algorithm, stored.Generation));
        Assert.Equal(stored.Kid, new JsonWebToken(token).Kid);
        Assert.False(Directory.Exists(Path.Combine(Server.DataDirectory, "auth-keys")));
    }

    private string ExternalToken(string issuer, ECDsa key, string audience)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var access = JsonDocument.Parse("""[{"type":"repository","name":"team/app","actions":["pull"]}]""").RootElement.Clone();
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "someone", ["access"] = access },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });
    }
}
