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
        Assert.Equal(("alice", (string?)null), await validator.ValidateRefreshAsync(issued.RefreshToken!));
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
