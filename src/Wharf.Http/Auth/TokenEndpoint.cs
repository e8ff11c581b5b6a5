using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Http.Results;

namespace Wharf.Http.Auth;

/// <summary>
/// The token service at <c>/auth/token</c>: Docker's token GET (Basic credentials, repeated <c>scope</c>,
/// <c>account</c>, <c>client_id</c>, <c>offline_token</c>) and the OAuth2 POST form (<c>grant_type=password</c>
/// or <c>refresh_token</c>). Requested actions that policy refuses are dropped, never reported.
/// </summary>
public sealed partial class TokenEndpoint(
    AccessGate gate, CredentialVerifier credentials, TokenIssuer issuer, TokenValidator validator, AuthChallenges challenges,
    IRefreshTokenStore refreshTokens, TimeProvider time, ILogger<TokenEndpoint> logger, Wharf.Core.Mirror.MirrorNames? mirrorNames = null)
{
    public async Task HandleAsync(HttpContext context)
    {
        var result = HttpMethods.IsGet(context.Request.Method) ? await GetAsync(context)
            : HttpMethods.IsPost(context.Request.Method) ? await PostAsync(context)
            : new ErrorResult(ErrorCode.MethodNotAllowed);
        context.Response.Headers.CacheControl = "no-store";
        await result.ExecuteAsync(context);
    }

    private async ValueTask<IResult> GetAsync(HttpContext context)
    {
        var principal = Principal.Anonymous;
        if (AuthorizationHeader.TryReadBasic(context.Request, out var username, out var password))
        {
            var signedIn = await gate.SignInAsync(context, username, password, auditSuccess: true);
            if (signedIn.Refusal is { } refusal)
            {
                return refusal;
            }

            principal = signedIn.Principal!;
        }

        var query = context.Request.Query;
        var offline = string.Equals(query["offline_token"], "true", StringComparison.OrdinalIgnoreCase);
        return await AnswerAsync(principal, Scope.ParseAll(query["scope"]), offline, IsDockerd(query["client_id"]));
    }

    private async ValueTask<IResult> PostAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return new ErrorResult(new RegistryError(ErrorCode.Unsupported, "the token service takes an application/x-www-form-urlencoded form"));
        }

        var (form, problem) = await TokenForm.ReadAsync(context);
        if (form is null)
        {
            LogBadForm(logger, problem ?? "unreadable");
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "the form cannot be read: malformed, or beyond the limits on fields and sizes"));
        }

        Principal? principal;
        switch (form["grant_type"].ToString())
        {
            case "password":
                var signedIn = await gate.SignInAsync(context, form["username"].ToString(), form["password"].ToString(), auditSuccess: true);
                if (signedIn.Refusal is { } refusal)
                {
                    return refusal;
                }

                principal = signedIn.Principal!;
                break;
            case "refresh_token":
                return await RefreshAsync(context, form["refresh_token"].ToString(), Scope.ParseAll(form["scope"]));
            default:
                return new ErrorResult(new RegistryError(ErrorCode.Unsupported, "grant_type must be password or refresh_token"));
        }

        var offline = string.Equals(form["access_type"], "offline", StringComparison.Ordinal);
        return await AnswerAsync(principal, Scope.ParseAll(form["scope"]), offline, IsDockerd(form["client_id"]));
    }

    /// <summary>
    /// Uses a refresh token, once: its principal as it stands now (removed users, changed passwords and revoked tokens
    /// get nothing) receives new tokens, the new refresh token replacing the used one in its family. A spent refresh
    /// token presented again revokes its whole family.
    /// </summary>
    private async ValueTask<IResult> RefreshAsync(HttpContext context, string refreshToken, IReadOnlyList<Scope> requested)
    {
        var claims = await validator.ValidateRefreshAsync(refreshToken);
        if (claims is not { Family: { } family, Id: { } id })
        {
            return challenges.BasicUnauthorized();
        }

        var principal = await credentials.ResolveIssuedAsync(claims, context.RequestAborted);
        if (principal is null)
        {
            return challenges.BasicUnauthorized();
        }

        var issued = issuer.Issue(principal, issuer.Grant(principal, WithMirrorScopes(requested)), offline: true, family);
        if (issued.AccessToken.Length > TokenValidator.MaxLength)
        {
            return Answer(issued); // Refused, and the refresh token the client holds stays good.
        }

        var rotation = await refreshTokens.RotateAsync(family, id, issued.Refresh!.Id, issued.Refresh.ExpiresAt, time.GetUtcNow(), CancellationToken.None);
        if (rotation == RefreshRotation.Kept)
        {
            return Answer(issued with { RefreshToken = null, Refresh = null }); // dockerd's one identity token stays the one
        }

        if (rotation != RefreshRotation.Rotated)
        {
            if (rotation == RefreshRotation.Reused)
            {
                LogRefreshReused(logger, claims.Subject);
            }

            return challenges.BasicUnauthorized();
        }

        return Answer(issued);
    }

    /// <summary>
    /// Mirror mode: dockerd asks for a token for the name it knows (<c>library/alpine</c>) while Wharf serves, and
    /// authorizes, the cached name (<c>hub/library/alpine</c>). Each pull scope of a name mirror mode would rewrite also
    /// asks for pull on the cached name, which the policies then grant or not like any other.
    /// </summary>
    private IReadOnlyList<Scope> WithMirrorScopes(IReadOnlyList<Scope> requested)
    {
        if (mirrorNames is null || !mirrorNames.Enabled)
        {
            return requested;
        }

        var cached = requested
            .Where(s => s.Type == Scope.RepositoryType && s.Actions.HasFlag(AccessActions.Pull))
            .Select(s => mirrorNames.Rewrite(s.Name, null) is { } name ? new Scope(Scope.RepositoryType, name, AccessActions.Pull) : null)
            .OfType<Scope>()
            .ToList();
        return cached.Count == 0 ? requested : [.. requested, .. cached];
    }

    /// <summary>
    /// Tokens for a principal who just signed in (or came anonymously); a refresh token starts a new family, a reusable
    /// one for dockerd (see <see cref="IsDockerd"/>).
    /// </summary>
    private async ValueTask<IResult> AnswerAsync(Principal principal, IReadOnlyList<Scope> requested, bool offline, bool reusable)
    {
        var issued = issuer.Issue(principal, issuer.Grant(principal, WithMirrorScopes(requested)), offline);
        if (issued.AccessToken.Length <= TokenValidator.MaxLength && issued.Refresh is { } refresh)
        {
            await refreshTokens.CreateAsync(refresh.Family, principal.Name!, refresh.Id, refresh.ExpiresAt, reusable, time.GetUtcNow(), CancellationToken.None);
        }

        return Answer(issued);
    }

    /// <summary>
    /// dockerd (<c>client_id=docker</c>) keeps the refresh token <c>docker login</c> got as its identity token and sends
    /// it for every later pull and push, never storing the one each refresh answers (its credential store's
    /// <c>SetRefreshToken</c> does nothing). Its family is therefore reusable: that one token stays good until it expires,
    /// the password changes or the user is removed, and using it never extends it.
    /// </summary>
    private static bool IsDockerd(Microsoft.Extensions.Primitives.StringValues clientId) => clientId.ToString() == "docker";

    private IResult Answer(IssuedToken issued)
    {
        if (issued.AccessToken.Length > TokenValidator.MaxLength)
        {
            // Every request would refuse it: say so now rather than hand out a token that cannot be used.
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid,
                $"the token for this many scopes would exceed {TokenValidator.MaxLength} characters, which the registry does not accept; ask for fewer scopes"));
        }

        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("token", issued.AccessToken);
            json.WriteString("access_token", issued.AccessToken);
            json.WriteNumber("expires_in", issued.ExpiresIn);
            json.WriteString("issued_at", issued.IssuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            if (issued.RefreshToken is { } refresh)
            {
                json.WriteString("refresh_token", refresh);
            }

            json.WriteEndObject();
        }, []);
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "A spent refresh token of user {User} was presented again; every refresh token of that sign-in is revoked")]
    private static partial void LogRefreshReused(ILogger logger, string user);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Token request refused: bad form: {Problem}")]
    private static partial void LogBadForm(ILogger logger, string problem);
}
