using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>
/// Issues access JWTs (with Docker's <c>access</c> claim) and refresh tokens, signed by <see cref="SigningKeys"/>.
/// Times come from the injected clock. See docs/design/auth.md for the claims.
/// </summary>
public sealed class TokenIssuer(AuthOptions options, SigningKeys keys, AccessPolicy policy, TimeProvider time)
{
    internal const string TokenIdClaim = "wharf_tid";
    internal const string EpochClaim = "wharf_epoch";
    internal const string FamilyClaim = "wharf_family";
    internal const string UseClaim = "use";
    internal const string RefreshUse = "refresh";
    internal const string SessionUse = "session";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>The audience of refresh tokens: never accepted by /v2/.</summary>
    public string RefreshAudience => options.Token.Service + "#refresh";

    /// <summary>The audience of web UI sessions: never accepted by /v2/ or the token service.</summary>
    public string SessionAudience => options.Token.Service + "#session";

    /// <summary>What of <paramref name="requested"/> policy grants <paramref name="principal"/>; refused actions are dropped.</summary>
    public IReadOnlyList<Scope> Grant(Principal principal, IReadOnlyList<Scope> requested)
    {
        var granted = new List<Scope>();
        foreach (var scope in requested)
        {
            if (scope.IsCatalog)
            {
                granted.Add(Scope.Catalog);
            }
            else if (scope.Type == Scope.RepositoryType && Core.Protocol.RepositoryName.IsValid(scope.Name))
            {
                var actions = scope.Actions & policy.Allowed(principal, scope.Name);
                if (actions != AccessActions.None)
                {
                    granted.Add(scope with { Actions = actions });
                }
            }
        }

        return granted;
    }

    /// <summary>
    /// An access token for <paramref name="access"/>, and with <paramref name="offline"/> a refresh token: of a new
    /// family, or the next of <paramref name="family"/> when one is used up (see <see cref="IssuedToken.Refresh"/>).
    /// </summary>
    public IssuedToken Issue(Principal principal, IReadOnlyList<Scope> access, bool offline, string? family = null)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = principal.Name ?? "",
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["access"] = AccessClaim(access),
        };
        if (principal.TokenId is { } tokenId)
        {
            claims[TokenIdClaim] = tokenId;
        }

        var jwt = Sign(options.Token.Service, now, options.Token.Lifetime, claims);
        string? refresh = null;
        RefreshTokenId? refreshId = null;
        if (offline && !principal.IsAnonymous)
        {
            refreshId = new RefreshTokenId(family ?? NewId(), NewId(), now + options.Token.RefreshLifetime);
            var refreshClaims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = principal.Name!,
                [JwtRegisteredClaimNames.Jti] = refreshId.Id,
                [UseClaim] = RefreshUse,
                [FamilyClaim] = refreshId.Family,
            };
            AddBinding(refreshClaims, principal);
            refresh = Sign(RefreshAudience, now, options.Token.RefreshLifetime, refreshClaims);
        }

        return new IssuedToken(jwt, (int)options.Token.Lifetime.TotalSeconds, now, refresh, refreshId);
    }

    /// <summary>A web UI session for a signed-in principal (the <c>wharf_session</c> cookie's value).</summary>
    public string IssueSession(Principal principal, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = principal.Name ?? throw new ArgumentException("Anonymous callers have no session.", nameof(principal)),
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            [UseClaim] = SessionUse,
        };
        AddBinding(claims, principal);
        return Sign(SessionAudience, time.GetUtcNow(), lifetime, claims);
    }

    /// <summary>What ties a long-lived token to its holder as they are now: the access token signed in with, the user's session epoch.</summary>
    private static void AddBinding(Dictionary<string, object> claims, Principal principal)
    {
        if (principal.TokenId is { } id)
        {
            claims[TokenIdClaim] = id;
        }

        if (principal.SessionEpoch is { Length: > 0 } epoch)
        {
            claims[EpochClaim] = epoch;
        }
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private string Sign(string audience, DateTimeOffset now, TimeSpan lifetime, Dictionary<string, object> claims) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Token.Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = keys.Credentials,
            Claims = claims,
        });

    private static JsonElement AccessClaim(IReadOnlyList<Scope> access)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var scope in access)
            {
                json.WriteStartObject();
                json.WriteString("type", scope.Type);
                json.WriteString("name", scope.Name);
                json.WriteStartArray("actions");
                foreach (var action in scope.IsCatalog ? ["*"] : AccessActionsText.Names(scope.Actions))
                {
                    json.WriteStringValue(action);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
