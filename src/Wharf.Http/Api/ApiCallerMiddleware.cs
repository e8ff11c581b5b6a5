using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>
/// Resolves who calls <c>/api/…</c> and <c>/v1/…</c> (search) and leaves a <see cref="CallerAccess"/> in the
/// request's features: from the web UI's session cookie, <c>Authorization: Basic</c> (user password or access
/// token), or, in token mode, <c>Authorization: Bearer</c>. No credentials means anonymous (public repositories
/// only). With auth off nothing is set and everyone may do everything. Wrong credentials answer 401 without a
/// <c>WWW-Authenticate</c> challenge, so browsers never pop up their own sign-in dialog. Signing in and out
/// (<c>POST</c> and <c>DELETE /api/session</c>) do not depend on who the caller was, so stale credentials never stand
/// in their way.
/// </summary>
public sealed class ApiCallerMiddleware(RequestDelegate next, AuthOptions options, IServiceProvider services)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (options.Mode == AuthMode.None || !(path.StartsWithSegments("/api") || path.StartsWithSegments("/v1")) || IsSignInOrOut(context.Request))
        {
            await next(context);
            return;
        }

        var (principal, scopes, refusal) = await ResolveAsync(context);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        var policy = services.GetRequiredService<AccessPolicy>();
        context.Features.Set(scopes switch
        {
            null => new CallerAccess(repository => policy.Allowed(principal!, repository), principal!.Name, policy.IsAdmin(principal)),
            // A catalog token Wharf issued (dockerd's `docker search` asks for registry:catalog:search) lists what its
            // holder may pull, as /v2/_catalog does; anything more still needs the token's own repository scopes.
            CatalogScopes => new CallerAccess(repository => Scope.On(scopes, repository) | (policy.Allowed(principal!, repository) & AccessActions.Pull), principal!.Name),
            _ => new CallerAccess(repository => Scope.On(scopes, repository), principal?.Name),
        });
        await next(context);
    }

    private async ValueTask<(Principal? Principal, IReadOnlyList<Scope>? Scopes, IResult? Refusal)> ResolveAsync(HttpContext context)
    {
        var credentials = services.GetRequiredService<CredentialVerifier>();
        if (AuthorizationHeader.TryReadBasic(context.Request, out var username, out var password))
        {
            var (principal, refusal) = await services.GetRequiredService<AccessGate>().SignInAsync(context, username, password);
            return refusal is null ? (principal, null, null) : (null, null, WithoutChallenge(refusal));
        }

        if (AuthorizationHeader.ReadBearer(context.Request) is { } jwt)
        {
            var token = options.Mode == AuthMode.Token ? await services.GetRequiredService<TokenValidator>().ValidateAccessAsync(jwt) : null;
            if (token is null)
            {
                return (null, null, Unauthorized());
            }

            Principal? owner = null;
            if (token.TokenId is { } tokenId)
            {
                owner = await credentials.ResolveTokenAsync(tokenId, context.RequestAborted);
                if (owner is null)
                {
                    return (null, null, Unauthorized());
                }
            }

            if (token.IsOwn && token.Access.Any(s => s.IsCatalog))
            {
                owner ??= token.Subject.Length == 0 ? Principal.Anonymous
                    : await credentials.ResolveUserAsync(token.Subject, context.RequestAborted) ?? Principal.Anonymous;
                return (owner, new CatalogScopes(token.Access), null);
            }

            if (owner is not null)
            {
                return (owner, token.Access, null);
            }

            return (token.Subject.Length == 0 ? Principal.Anonymous : new Principal(token.Subject, []), token.Access, null);
        }

        if (SessionCookie.Read(context.Request) is { } session)
        {
            // A cookie-authenticated write must come from Wharf's own pages. The cookie is SameSite=Strict already;
            // the Origin check is the second lock for browsers that send one.
            if (!SameOrigin.Allows(context.Request))
            {
                return (null, null, new ErrorResult(ErrorCode.Denied));
            }

            var principal = await services.GetRequiredService<SessionCookie>().ResolveAsync(session, context.RequestAborted);
            if (principal is null)
            {
                SessionCookie.Clear(context.Response);
                return (null, null, Unauthorized());
            }

            return (principal, null, null);
        }

        return (Principal.Anonymous, null, null);
    }

    private static ErrorResult Unauthorized() => new(ErrorCode.Unauthorized);

    /// <summary>A session that expired or whose user changed their password must still be able to sign in again, or out.</summary>
    private static bool IsSignInOrOut(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsDelete(request.Method))
        && string.Equals(request.Path.Value?.TrimEnd('/'), "/api/session", StringComparison.OrdinalIgnoreCase);

    private static IResult WithoutChallenge(IResult refusal) =>
        refusal is ErrorResult { Error.Code: ErrorCode.Unauthorized } ? Unauthorized() : refusal;

    /// <summary>The scopes of a catalog token Wharf issued, marked so that the caller's pull rights widen them.</summary>
    private sealed class CatalogScopes(IReadOnlyList<Scope> scopes) : List<Scope>(scopes);
}
