using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>
/// Validates bearer JWTs: signature by a key of the token's own issuer (Wharf's keys, or a trusted issuer's
/// PEM keys), <c>iss</c>, <c>aud</c>, and <c>exp</c>/<c>nbf</c> against the injected clock with a bounded skew.
/// </summary>
public sealed class TokenValidator
{
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512, SecurityAlgorithms.RsaSsaPssSha256,
    ];

    /// <summary>The longest token accepted; the token service refuses to issue a longer one.</summary>
    public const int MaxLength = 16 * 1024;

    private readonly AuthOptions _options;
    private readonly SigningKeys _keys;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, IReadOnlyList<SecurityKey>> _trustedKeys = new(StringComparer.Ordinal);
    private readonly string[] _issuers;
    private readonly JsonWebTokenHandler _handler = new();

    public TokenValidator(AuthOptions options, SigningKeys keys, TimeProvider time)
    {
        _options = options;
        _keys = keys;
        _time = time;
        foreach (var trusted in options.Token.TrustedIssuers)
        {
            _trustedKeys[trusted.Issuer] = LoadPublicKeys(trusted.Keys);
        }

        _issuers = [options.Token.Issuer, .. _trustedKeys.Keys];
    }

    /// <summary>An access token for /v2/, or null when invalid in any way.</summary>
    public async ValueTask<BearerToken?> ValidateAccessAsync(string jwt)
    {
        var token = await ValidateAsync(jwt, _options.Token.Service);
        if (token is null || token.TryGetPayloadValue<string>(TokenIssuer.UseClaim, out _))
        {
            return null;
        }

        var own = token.Issuer == _options.Token.Issuer;
        return new BearerToken(token.Subject ?? "", ReadAccess(token), own && token.TryGetPayloadValue<string>(TokenIssuer.TokenIdClaim, out var id) ? id : null, own);
    }

    /// <summary>A refresh token Wharf issued: what it says, or null when invalid.</summary>
    public ValueTask<IssuedClaims?> ValidateRefreshAsync(string jwt) => ValidateIssuedAsync(jwt, "#refresh", TokenIssuer.RefreshUse);

    /// <summary>A web UI session Wharf issued: what it says, or null when invalid or expired.</summary>
    public ValueTask<IssuedClaims?> ValidateSessionAsync(string jwt) => ValidateIssuedAsync(jwt, "#session", TokenIssuer.SessionUse);

    /// <summary>
    /// A token this registry issued for <paramref name="use"/>, to its service's audience + <paramref name="audienceSuffix"/>:
    /// its subject and token id, or null when invalid, expired, for another use or without a subject.
    /// </summary>
    private async ValueTask<IssuedClaims?> ValidateIssuedAsync(string jwt, string audienceSuffix, string use)
    {
        var token = await ValidateAsync(jwt, _options.Token.Service + audienceSuffix);
        if (token is null || token.Issuer != _options.Token.Issuer
            || !token.TryGetPayloadValue<string>(TokenIssuer.UseClaim, out var actualUse) || actualUse != use || string.IsNullOrEmpty(token.Subject))
        {
            return null;
        }

        return new IssuedClaims(
            token.Subject,
            Claim(token, TokenIssuer.TokenIdClaim),
            Claim(token, TokenIssuer.EpochClaim),
            Claim(token, TokenIssuer.FamilyClaim),
            string.IsNullOrEmpty(token.Id) ? null : token.Id);
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetPayloadValue<string>(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private async ValueTask<JsonWebToken?> ValidateAsync(string jwt, string audience)
    {
        if (jwt.Length > MaxLength)
        {
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuers = _issuers,
            ValidAudience = audience,
            ValidAlgorithms = Algorithms,
            ValidateLifetime = false, // Checked below against the injected clock.
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            IssuerSigningKeyResolver = (_, securityToken, _, _) => KeysOf(securityToken),
        };
        var result = await TryValidateAsync(jwt, parameters);
        if (result is { IsValid: false } && await SignedByAKeyLoadedSinceAsync(jwt))
        {
            result = await TryValidateAsync(jwt, parameters);
        }

        if (result is not { IsValid: true, SecurityToken: JsonWebToken token })
        {
            return null;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var skew = _options.Token.ClockSkew;
        if (token.ValidTo == DateTime.MinValue || now > token.ValidTo + skew || (token.ValidFrom != DateTime.MinValue && token.ValidFrom > now + skew))
        {
            return null;
        }

        return token;
    }

    /// <summary>
    /// The handler's verdict, or null when it throws instead: some malformed inputs (a five-part, JWE-shaped token
    /// with segments that are not base64url, say) escape as exceptions. Whatever a client sends is only invalid.
    /// </summary>
    private async ValueTask<TokenValidationResult?> TryValidateAsync(string jwt, TokenValidationParameters parameters)
    {
        try
        {
            return await _handler.ValidateTokenAsync(jwt, parameters);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            return null;
        }
    }

    private static bool IsMalformed(Exception e) =>
        e is ArgumentException or FormatException or SecurityTokenException or JsonException or System.Security.Cryptography.CryptographicException;

    private IReadOnlyList<SecurityKey> KeysOf(SecurityToken securityToken) => securityToken switch
    {
        JsonWebToken t when t.Issuer == _options.Token.Issuer => _keys.All,
        JsonWebToken t when _trustedKeys.TryGetValue(t.Issuer, out var keys) => keys,
        _ => [],
    };

    /// <summary>
    /// Whether a token of our own issuer names a key this instance did not know, and a reload of the keys found it:
    /// another instance created or rotated a key since the last periodic reload.
    /// </summary>
    private async ValueTask<bool> SignedByAKeyLoadedSinceAsync(string jwt)
    {
        if (!_handler.CanReadToken(jwt))
        {
            return false;
        }

        JsonWebToken unverified;
        try
        {
            unverified = _handler.ReadJsonWebToken(jwt);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            return false; // Not even readable: it cannot name a key.
        }

        return unverified.Issuer == _options.Token.Issuer && !string.IsNullOrEmpty(unverified.Kid)
            && !_keys.All.Any(k => k.KeyId == unverified.Kid)
            && await _keys.RefreshForUnknownKeyAsync(unverified.Kid, CancellationToken.None);
    }

    private static List<Scope> ReadAccess(JsonWebToken token)
    {
        var access = new List<Scope>();
        if (!token.TryGetPayloadValue<JsonElement>("access", out var claim) || claim.ValueKind != JsonValueKind.Array)
        {
            return access;
        }

        foreach (var entry in claim.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && entry.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                && entry.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
            {
                var names = actions.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList();
                var scope = new Scope(type.GetString()!, name.GetString()!, AccessActionsText.ParseList(names));
                access.Add(scope.IsCatalog && names.Contains("*") ? Scope.Catalog : scope);
            }
        }

        return access;
    }

    /// <summary>Certificates and public keys from a PEM file.</summary>
    private static List<SecurityKey> LoadPublicKeys(string path)
    {
        var pem = File.ReadAllText(path);
        var keys = new List<SecurityKey>();
        var certificates = new X509Certificate2Collection();
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            certificates.ImportFromPem(pem);
            keys.AddRange(certificates.Select(c => new X509SecurityKey(c)));
        }

        foreach (var block in pem.Split("-----END PUBLIC KEY-----", StringSplitOptions.RemoveEmptyEntries))
        {
            var start = block.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var one = block[start..] + "-----END PUBLIC KEY-----";
            if (SigningKeyPem.TryEcdsa(one) is { } ecdsa)
            {
                keys.Add(new ECDsaSecurityKey(ecdsa) { KeyId = SigningKeyPem.KeyId(ecdsa.ExportSubjectPublicKeyInfo()) });
            }
            else if (SigningKeyPem.TryRsa(one) is { } rsa)
            {
                keys.Add(new RsaSecurityKey(rsa) { KeyId = SigningKeyPem.KeyId(rsa.ExportSubjectPublicKeyInfo()) });
            }
        }

        return keys;
    }
}
