using Wharf.Core.Metadata;

namespace Wharf.Auth;

/// <summary>
/// Checks a username and password: a user's password, or an access token (<c>wharf_…</c>) whose subject is
/// the username. Every call reads the committed user and token rows, so removal and revocation apply at once.
/// </summary>
public sealed class CredentialVerifier(IUserStore users, IAccessTokenStore tokens, PasswordHasher hasher, TimeProvider time)
{
    /// <summary>The principal, or null when the credentials are wrong (for whatever reason; callers must not say which).</summary>
    public async ValueTask<Principal?> VerifyAsync(string username, string password, CancellationToken cancellationToken)
    {
        if (AccessTokenSecret.TryParse(password, out var id, out var secret))
        {
            return await VerifyTokenAsync(username, id, secret, cancellationToken);
        }

        var user = await users.GetAsync(username, cancellationToken);
        if (user is null)
        {
            hasher.VerifyDummy(password);
            return null;
        }

        return hasher.Verify(password, user.PasswordHash) ? Principal.ForUser(user) : null;
    }

    /// <summary>The principal a token id stands for now, or null when it is unknown, revoked, expired or its user is gone.</summary>
    public async ValueTask<Principal?> ResolveTokenAsync(string id, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(id, cancellationToken);
        return token is null ? null : await ActivePrincipalAsync(token, cancellationToken);
    }

    /// <summary>The user as a principal now, or null when removed.</summary>
    public async ValueTask<Principal?> ResolveUserAsync(string name, CancellationToken cancellationToken) =>
        await users.GetAsync(name, cancellationToken) is { } user ? Principal.ForUser(user) : null;

    /// <summary>
    /// Who a token Wharf issued (a refresh token, a web session) stands for now: the access token it was issued from
    /// when it names one, else its user; null when gone, revoked or expired, and when the user's session epoch is not
    /// the one the token carries (the password changed since, or the name was removed and given to a new user).
    /// One read of the user (and one of the access token, when signed in with one), as before.
    /// </summary>
    public async ValueTask<Principal?> ResolveIssuedAsync(IssuedClaims claims, CancellationToken cancellationToken)
    {
        var principal = claims.TokenId is { } id ? await ResolveTokenAsync(id, cancellationToken) : await ResolveUserAsync(claims.Subject, cancellationToken);
        if (principal is null || principal.IsRobot)
        {
            return principal; // A robot has no password and no epoch: revoking its token ends what it signed.
        }

        return principal.SessionEpoch is { Length: > 0 } epoch && string.Equals(epoch, claims.SessionEpoch, StringComparison.Ordinal) ? principal : null;
    }

    private async ValueTask<Principal?> VerifyTokenAsync(string username, string id, string secret, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(id, cancellationToken);
        var matches = AccessTokenSecret.Matches(secret, token?.SecretHash ?? new string('0', 64));
        if (token is null || !matches || !string.Equals(token.Subject, username, StringComparison.Ordinal))
        {
            return null;
        }

        return await ActivePrincipalAsync(token, cancellationToken);
    }

    private async ValueTask<Principal?> ActivePrincipalAsync(AccessTokenRecord token, CancellationToken cancellationToken)
    {
        if (!token.IsActive(time.GetUtcNow()))
        {
            return null;
        }

        if (token.Kind == AccessTokenKind.Robot)
        {
            return Principal.ForToken(token, null);
        }

        var owner = await users.GetAsync(token.Subject, cancellationToken);
        return owner is null ? null : Principal.ForToken(token, owner);
    }
}
