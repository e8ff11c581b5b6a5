using System.ComponentModel.DataAnnotations;

namespace Wharf.Auth;

/// <summary>How /v2/ requests prove who they come from.</summary>
public enum AuthMode
{
    /// <summary>No authentication: everyone may do everything (the default).</summary>
    None,

    /// <summary>HTTP Basic against Wharf's users and access tokens, on every request.</summary>
    Basic,

    /// <summary>Bearer JWTs from the token service at /auth/token (or a trusted issuer).</summary>
    Token,
}

/// <summary>The <c>Auth</c> section of the configuration.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>The realm named in Basic challenges.</summary>
    public string Realm { get; set; } = "Wharf";

    /// <summary>Users who may do everything everywhere.</summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>Whether every user owns <c>&lt;username&gt;/**</c> (pull, push, delete).</summary>
    public bool OwnNamespace { get; set; } = true;

    /// <summary>Rules granting actions on repository patterns to users and groups.</summary>
    public List<PolicyRule> Policies { get; set; } = [];

    /// <summary>Rules granting actions to everyone, signed in or not (public repositories). Users and Groups are ignored.</summary>
    public List<PolicyRule> Anonymous { get; set; } = [];

    /// <summary>bcrypt work factor for new password hashes.</summary>
    [Range(4, 16)]
    public int BcryptCost { get; set; } = 10;

    public TokenOptions Token { get; set; } = new();

    public ThrottleOptions Throttle { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (rule, index) in Policies.Concat(Anonymous).Select((r, i) => (r, i)))
        {
            if (!RepositoryPattern.TryCreate(rule.Repositories, out _))
            {
                yield return new ValidationResult($"Auth policy {index}: Repositories '{rule.Repositories}' is not a valid pattern");
            }

            foreach (var action in rule.Actions)
            {
                if (AccessActionsText.Parse(action) == AccessActions.None)
                {
                    yield return new ValidationResult($"Auth policy {index}: unknown action '{action}' (use pull, push, delete or *)");
                }
            }
        }

        if (Token.Algorithm is not ("ES256" or "RS256"))
        {
            yield return new ValidationResult("Auth:Token:Algorithm must be ES256 or RS256");
        }

        if (Token.Lifetime <= TimeSpan.Zero || Token.Lifetime > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Auth:Token:Lifetime must be more than zero and at most one day");
        }

        if (Token.ClockSkew < TimeSpan.Zero || Token.ClockSkew > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Auth:Token:ClockSkew must be between 0 and 5 minutes");
        }

        if (Token.Realm is { } realm && !Uri.TryCreate(realm, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("Auth:Token:Realm must be an absolute URL");
        }

        if (Token.KeyEncryptionKey is { Length: > 0 } && Token.KeyEncryptionKeyFile is { Length: > 0 })
        {
            yield return new ValidationResult("Auth:Token: set KeyEncryptionKey or KeyEncryptionKeyFile, not both");
        }
        else if (KeyEncryptionProblem(Token) is { } problem)
        {
            yield return new ValidationResult(problem);
        }

        foreach (var trusted in Token.TrustedIssuers)
        {
            if (string.IsNullOrWhiteSpace(trusted.Issuer) || string.IsNullOrWhiteSpace(trusted.Keys))
            {
                yield return new ValidationResult("Auth:Token:TrustedIssuers entries need Issuer and Keys (a PEM file)");
            }
            else if (!File.Exists(trusted.Keys))
            {
                yield return new ValidationResult($"Auth:Token:TrustedIssuers: key file not found: {trusted.Keys}");
            }
        }

        if (Throttle.MaxFailures < 1 || Throttle.MaxFailuresPerAddress < 1 || Throttle.Window <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Auth:Throttle needs MaxFailures and MaxFailuresPerAddress of at least 1 and a positive Window");
        }
    }

    private static string? KeyEncryptionProblem(TokenOptions token)
    {
        try
        {
            _ = SigningKeyEncryption.ReadKey(token);
            return null;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return "Auth:Token key encryption key: " + e.Message;
        }
    }
}

/// <summary>A grant: <see cref="Actions"/> on repositories matching <see cref="Repositories"/>, for <see cref="Users"/> and members of <see cref="Groups"/>.</summary>
public sealed class PolicyRule
{
    /// <summary>A repository pattern: <c>*</c> matches within one path segment, <c>**</c> across segments (e.g. <c>team-a/**</c>).</summary>
    public string Repositories { get; set; } = "";

    public List<string> Users { get; set; } = [];

    public List<string> Groups { get; set; } = [];

    /// <summary><c>pull</c>, <c>push</c>, <c>delete</c> or <c>*</c>.</summary>
    public List<string> Actions { get; set; } = [];
}

/// <summary>The <c>Auth:Token</c> section: the built-in token service and the JWTs the registry accepts.</summary>
public sealed class TokenOptions
{
    /// <summary>The <c>iss</c> of tokens Wharf issues.</summary>
    public string Issuer { get; set; } = "wharf";

    /// <summary>The <c>service</c> named in challenges and the <c>aud</c> every accepted token must carry.</summary>
    public string Service { get; set; } = "wharf";

    /// <summary>The token service URL named in challenges; null means this server's <c>/auth/token</c>.</summary>
    public string? Realm { get; set; }

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan RefreshLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>ES256 (P-256) or RS256 (RSA 2048).</summary>
    public string Algorithm { get; set; } = "ES256";

    /// <summary>Where signing keys live (created at first start); null means <c>&lt;Data&gt;/auth-keys</c>.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
    /// 32 bytes in base64 (e.g. from <c>WHARF_AUTH__TOKEN__KEYENCRYPTIONKEY</c>): signing keys in the metadata store are
    /// encrypted with it (AES-256-GCM). Null: stored in clear.
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>A file holding the key encryption key (32 raw bytes or base64), instead of <see cref="KeyEncryptionKey"/>.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>Tolerance for <c>exp</c> and <c>nbf</c>; at most 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>External issuers whose tokens the registry also accepts.</summary>
    public List<TrustedIssuer> TrustedIssuers { get; set; } = [];
}

/// <summary>An external token issuer: its <c>iss</c> and a PEM file of certificates or public keys.</summary>
public sealed class TrustedIssuer
{
    public string Issuer { get; set; } = "";

    public string Keys { get; set; } = "";
}

/// <summary>
/// The <c>Auth:Throttle</c> section: failed logins allowed within a window per user and client address, and per client
/// address over all users. The same wrong credentials resent from one address count once per window.
/// </summary>
public sealed class ThrottleOptions
{
    /// <summary>Failures of one username from one address before that user is refused from that address.</summary>
    public int MaxFailures { get; set; } = 10;

    /// <summary>Failures from one address, any usernames, before everyone there is refused.</summary>
    public int MaxFailuresPerAddress { get; set; } = 50;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
