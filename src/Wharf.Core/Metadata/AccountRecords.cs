namespace Wharf.Core.Metadata;

/// <summary>
/// A Wharf user. <paramref name="PasswordHash"/> is a bcrypt hash; the password itself is never stored.
/// <paramref name="SessionEpoch"/> is random, carried by every web session and refresh token issued to the user, and
/// replaced when the password changes; a user added again under a removed name gets a new one. Empty in a record
/// about to be created means "the store picks one".
/// </summary>
public sealed record UserRecord(string Name, string PasswordHash, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt, string SessionEpoch = "");

/// <summary>What using a refresh token did to its family (see <see cref="IRefreshTokenStore.RotateAsync"/>).</summary>
public enum RefreshRotation
{
    /// <summary>The token was its family's current one; the next one replaces it.</summary>
    Rotated,

    /// <summary>The token is its reusable family's one token: it stays good and nothing replaces it.</summary>
    Kept,

    /// <summary>The token was spent already (or the family was revoked): the whole family is revoked now.</summary>
    Reused,

    /// <summary>No such family, or it expired.</summary>
    Unknown,
}

/// <summary>What an access token stands for.</summary>
public enum AccessTokenKind
{
    /// <summary>A user's personal access token: the user's rights, narrowed to the token's scopes.</summary>
    Personal,

    /// <summary>A robot account (for CI): exactly the token's scopes, owned by no user.</summary>
    Robot,
}

/// <summary>
/// A personal access token or robot account. <paramref name="SecretHash"/> is the SHA-256 of the secret (hex);
/// <paramref name="Subject"/> is the owning user's name, or <c>robot.&lt;name&gt;</c> for a robot.
/// <paramref name="Scopes"/> are Docker token scopes such as <c>repository:team/app:pull,push</c>.
/// </summary>
public sealed record AccessTokenRecord(
    string Id,
    string Subject,
    AccessTokenKind Kind,
    string SecretHash,
    IReadOnlyList<string> Scopes,
    string Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    /// <summary>True when the token may be used at <paramref name="now"/>: not revoked and not expired.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || now < expires);
}

/// <summary>
/// A token signing key. <paramref name="Kid"/> identifies it in JWT headers; <paramref name="Algorithm"/> is
/// <c>ES256</c> or <c>RS256</c>; <paramref name="Generation"/> numbers the keys of one algorithm from 1 (the newest
/// signs); <paramref name="PrivateKeyPem"/> is the PKCS#8 private key.
/// </summary>
public sealed record SigningKeyRecord(
    string Kid,
    string Algorithm,
    int Generation,
    string PrivateKeyPem,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt)
{
    /// <summary>Everything but the private key, so that the key never reaches a log by accident.</summary>
    public override string ToString() => $"SigningKey {{ Kid = {Kid}, Algorithm = {Algorithm}, Generation = {Generation}, CreatedAt = {CreatedAt:O}, RetiredAt = {RetiredAt:O} }}";
}
