using Microsoft.AspNetCore.Http;
using Wharf.Auth;

namespace Wharf.Http.Api;

/// <summary>
/// The web UI's session: an HttpOnly, SameSite=Strict cookie holding a JWT signed by Wharf's signing keys, so
/// every instance that shares the keys accepts it. Each request re-reads the user (or access token) from the
/// metadata store, so removing a user or revoking a token ends their sessions at once.
/// </summary>
public sealed class SessionCookie(TokenIssuer issuer, TokenValidator validator, CredentialVerifier credentials, TimeProvider time)
{
    public const string Name = "wharf_session";

    /// <summary>How long a session lasts after signing in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public static string? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(Name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    public void Write(HttpContext context, Principal principal) =>
        context.Response.Cookies.Append(Name, issuer.IssueSession(principal, Lifetime), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = time.GetUtcNow() + Lifetime,
        });

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(Name, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true });

    /// <summary>Who the session stands for now, or null when it is invalid, expired, or its user or token is gone.</summary>
    public async ValueTask<Principal?> ResolveAsync(string jwt, CancellationToken cancellationToken) =>
        await validator.ValidateSessionAsync(jwt) is { } session
            ? await credentials.ResolveIssuedAsync(session, cancellationToken)
            : null;
}
