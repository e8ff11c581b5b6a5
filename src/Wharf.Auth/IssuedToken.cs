namespace Wharf.Auth;

/// <summary>
/// What the token service hands out: an access JWT, its lifetime, and a refresh token when asked for one, with
/// <see cref="Refresh"/> naming its family and id for the store of refresh token families.
/// </summary>
public sealed record IssuedToken(string AccessToken, int ExpiresIn, DateTimeOffset IssuedAt, string? RefreshToken, RefreshTokenId? Refresh = null);

/// <summary>A refresh token's family (one per sign-in), its own id (<c>jti</c>) and when it expires.</summary>
public sealed record RefreshTokenId(string Family, string Id, DateTimeOffset ExpiresAt);

/// <summary>
/// What a validated refresh token or web session of Wharf's own says: whom it was issued to (<see cref="Subject"/>,
/// and <see cref="TokenId"/> when signed in with an access token), the user's <see cref="SessionEpoch"/> then, and for a
/// refresh token its <see cref="Family"/> and <see cref="Id"/>. Tokens issued before epochs and families existed lack them.
/// </summary>
public sealed record IssuedClaims(string Subject, string? TokenId, string? SessionEpoch, string? Family, string? Id);

/// <summary>
/// A validated bearer token. <see cref="Subject"/> is empty for anonymous; <see cref="TokenId"/> names the access
/// token it was issued for; <see cref="IsOwn"/> is true when Wharf issued it (not a trusted external issuer).
/// </summary>
public sealed record BearerToken(string Subject, IReadOnlyList<Scope> Access, string? TokenId, bool IsOwn);
