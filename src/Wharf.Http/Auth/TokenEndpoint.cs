using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Http.Auth;

/// <summary>
/// The token service at <c>/auth/token</c>: Docker's token GET (Basic credentials, repeated <c>scope</c>,
/// <c>account</c>, <c>client_id</c>, <c>offline_token</c>) and the OAuth2 POST form (<c>grant_type=password</c>
/// or <c>refresh_token</c>). Requested actions that policy refuses are dropped, never reported.
/// </summary>
public sealed partial class TokenEndpoint(
    AccessGate gate, CredentialVerifier credentials, TokenIssuer issuer, TokenValidator validator, AuthChallenges challenges, ILogger<TokenEndpoint> logger)
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
            var signedIn = await gate.SignInAsync(context, username, password);
            if (signedIn.Refusal is { } refusal)
            {
                return refusal;
            }

            principal = signedIn.Principal!;
        }

        var query = context.Request.Query;
        var offline = string.Equals(query["offline_token"], "true", StringComparison.OrdinalIgnoreCase);
        return Answer(principal, Scope.ParseAll(query["scope"]), offline);
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
                var signedIn = await gate.SignInAsync(context, form["username"].ToString(), form["password"].ToString());
                if (signedIn.Refusal is { } refusal)
                {
                    return refusal;
                }

                principal = signedIn.Principal!;
                break;
            case "refresh_token":
                principal = await RefreshAsync(form["refresh_token"].ToString(), context.RequestAborted);
                if (principal is null)
                {
                    return challenges.BasicUnauthorized();
                }

                break;
            default:
                return new ErrorResult(new RegistryError(ErrorCode.Unsupported, "grant_type must be password or refresh_token"));
        }

        var offline = string.Equals(form["access_type"], "offline", StringComparison.Ordinal) || form["grant_type"] == "refresh_token";
        return Answer(principal, Scope.ParseAll(form["scope"]), offline);
    }

    /// <summary>The principal of a refresh token, as it stands now (removed users and revoked tokens get nothing).</summary>
    private async ValueTask<Principal?> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        await validator.ValidateRefreshAsync(refreshToken) is { } refresh
            ? await credentials.ResolveIssuedAsync(refresh.Subject, refresh.TokenId, cancellationToken)
            : null;

    private JsonBodyResult Answer(Principal principal, IReadOnlyList<Scope> requested, bool offline)
    {
        var issued = issuer.Issue(principal, issuer.Grant(principal, requested), offline);
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

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Token request refused: bad form: {Problem}")]
    private static partial void LogBadForm(ILogger logger, string problem);
}
