using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;
using Wharf.TestKit;

namespace Wharf.Tests.Auth;

public sealed class TokenRoundTripTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _keys = new("wharf-keys");

    private (TokenIssuer Issuer, TokenValidator Validator) Create(string algorithm = "ES256")
    {
        var options = new AuthOptions
        {
            Mode = AuthMode.Token,
            Token = new TokenOptions { Algorithm = algorithm },
            Anonymous = [new PolicyRule { Repositories = "public/**", Actions = ["pull"] }],
        };
        var keys = SigningKeys.LoadOrCreate(_keys.Path, algorithm);
        return (new TokenIssuer(options, keys, new AccessPolicy(options), _time), new TokenValidator(options, keys, _time));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task An_issued_token_validates_with_its_subject_and_access(string algorithm)
    {
        var (issuer, validator) = Create(algorithm);
        var alice = new Principal("alice", []);

        var issued = issuer.Issue(alice, issuer.Grant(alice, Scope.ParseAll(["repository:alice/app:pull,push", "repository:bob/app:pull", "registry:catalog:*"])), offline: false);

        var token = await validator.ValidateAccessAsync(issued.AccessToken);
        Assert.NotNull(token);
        Assert.Equal("alice", token.Subject);
        Assert.Equal(["repository:alice/app:pull,push", "registry:catalog:*"], token.Access.Select(s => s.ToString()));
        Assert.True(token.IsOwn);
        Assert.Null(issued.RefreshToken);
    }

    [Fact]
    public async Task A_tampered_token_is_refused()
    {
        var (issuer, validator) = Create();
        var issued = issuer.Issue(Principal.Anonymous, [], offline: false);
        var parts = issued.AccessToken.Split('.');
        var forgedPayload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            """{"iss":"wharf","aud":"wharf","sub":"root","exp":9999999999,"access":[{"type":"repository","name":"x","actions":["push"]}]}""");

        Assert.Null(await validator.ValidateAccessAsync($"{parts[0]}.{forgedPayload}.{parts[2]}"));
        Assert.Null(await validator.ValidateAccessAsync($"{parts[0]}.{parts[1]}."));
        Assert.Null(await validator.ValidateAccessAsync("not a token"));
        Assert.Null(await validator.ValidateAccessAsync("aaaa.bbbb.cccc"));
        Assert.Null(await validator.ValidateAccessAsync("e30.e30.e30"));
        var unknownKey = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("{\"alg\":\"ES256\",\"kid\":\"unknown\"}");
        Assert.Null(await validator.ValidateAccessAsync($"{unknownKey}.{parts[1]}.{parts[2]}"));
    }

    [Fact]
    public async Task Expiry_is_checked_against_the_injected_clock_with_the_skew()
    {
        var (issuer, validator) = Create();
        var issued = issuer.Issue(new Principal("alice", []), [], offline: true);

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        Assert.NotNull(await validator.ValidateAccessAsync(issued.AccessToken));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await validator.ValidateAccessAsync(issued.AccessToken));
        Assert.NotNull(await validator.ValidateRefreshAsync(issued.RefreshToken!));
    }

    [Fact]
    public async Task Access_and_refresh_tokens_are_not_interchangeable()
    {
        var (issuer, validator) = Create();
        var issued = issuer.Issue(new Principal("alice", []), [], offline: true);

        Assert.Null(await validator.ValidateAccessAsync(issued.RefreshToken!));
        Assert.Null(await validator.ValidateRefreshAsync(issued.AccessToken));
        var refresh = await validator.ValidateRefreshAsync(issued.RefreshToken!);
        Assert.NotNull(refresh);
        Assert.Equal(("alice", (string?)null), (refresh.Subject, refresh.TokenId));
    }

    [Fact]
    public async Task A_refresh_token_carries_its_family_its_id_and_the_users_session_epoch()
    {
        var (issuer, validator) = Create();
        var alice = new Principal("alice", []) { SessionEpoch = "epoch-1" };
        var first = issuer.Issue(alice, [], offline: true);
        var next = issuer.Issue(alice, [], offline: true, first.Refresh!.Family);

        var claims = await validator.ValidateRefreshAsync(first.RefreshToken!);
        var nextClaims = await validator.ValidateRefreshAsync(next.RefreshToken!);
        var session = await validator.ValidateSessionAsync(issuer.IssueSession(alice, TimeSpan.FromHours(1)));

        Assert.Equal(new IssuedClaims("alice", null, "epoch-1", first.Refresh.Family, first.Refresh.Id), claims);
        Assert.Equal(first.Refresh.Family, nextClaims!.Family);
        Assert.NotEqual(first.Refresh.Id, nextClaims.Id);
        Assert.Equal("epoch-1", session!.SessionEpoch);
    }

    [Theory]
    [InlineData("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d")]
    [InlineData("eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..a.b.c")]
    [InlineData("a.b.c.d.e")]
    [InlineData("e30.e30.e30.e30.e30")]
    public async Task A_malformed_or_encrypted_token_is_invalid_not_an_exception(string jwt)
    {
        var (_, validator) = Create();

        Assert.Null(await validator.ValidateAccessAsync(jwt));
        Assert.Null(await validator.ValidateRefreshAsync(jwt));
        Assert.Null(await validator.ValidateSessionAsync(jwt));
    }

    [Fact]
    public void The_key_is_created_once_and_reused()
    {
        var first = SigningKeys.LoadOrCreate(_keys.Path, "ES256");
        var second = SigningKeys.LoadOrCreate(_keys.Path, "ES256");

        Assert.Equal(first.Credentials.Key.KeyId, second.Credentials.Key.KeyId);
        Assert.Single(Directory.GetFiles(_keys.Path));
    }

    public void Dispose() => _keys.Dispose();
}
