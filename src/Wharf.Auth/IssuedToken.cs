namespace Wharf.Auth;

/// <summary>What the token service hands out: an access JWT, its lifetime, and a refresh token when asked for one.</summary>
public sealed record IssuedToken(string AccessToken, int ExpiresIn, DateTimeOffset IssuedAt, string? RefreshToken);

/// <summary>
/// A validated bearer token. <see cref="Subject"/> is empty for anonymous; <see cref="TokenId"/> names the access
/// token it was issued for; <see cref="IsOwn"/> is true when Wharf issued it (not a trusted external issuer).
/// </summary>
public sealed record BearerToken(string Subject, IReadOnlyList<Scope> Access, string? TokenId, bool IsOwn);
