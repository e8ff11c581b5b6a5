using Microsoft.Extensions.Time.Testing;
using Wharf.Auth;

namespace Wharf.Tests.Auth;

public sealed class CredentialPrimitivesTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_access_token_text_parses_back_to_its_id_and_secret_and_matches_only_its_hash()
    {
        var (id, secret, text) = AccessTokenSecret.Create();

        Assert.True(AccessTokenSecret.TryParse(text, out var parsedId, out var parsedSecret));
        Assert.Equal(id, parsedId);
        Assert.Equal(secret, parsedSecret);
        Assert.True(AccessTokenSecret.Matches(secret, AccessTokenSecret.Hash(secret)));
        Assert.False(AccessTokenSecret.Matches(secret + "x", AccessTokenSecret.Hash(secret)));
        Assert.False(AccessTokenSecret.TryParse("hunter2", out _, out _));
        Assert.False(AccessTokenSecret.TryParse("wharf_XYZ", out _, out _));
    }

    [Fact]
    public void Bcrypt_hashes_verify_including_htpasswd_2y_and_anything_else_never_matches()
    {
        var hasher = new PasswordHasher(new AuthOptions { BcryptCost = 4 }, _time);
        var hash = hasher.Hash("secret");
        var htpasswd = "$2y$" + BCrypt.Net.BCrypt.HashPassword("secret", 4)[4..];

        Assert.True(hasher.Verify("secret", hash));
        Assert.True(hasher.Verify("secret", hash)); // remembered
        Assert.False(hasher.Verify("Secret", hash));
        Assert.True(hasher.Verify("secret", htpasswd));
        Assert.False(hasher.Verify("secret", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="));
        Assert.False(hasher.Verify("secret", "secret"));
    }
}
