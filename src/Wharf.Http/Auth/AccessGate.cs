using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wharf.Auth;
using Wharf.Core.Audit;
using Wharf.Http.Audit;
using Wharf.Http.Routing;

namespace Wharf.Http.Auth;

/// <summary>
/// Decides, before any lookup, whether a /v2/ request may proceed; the answer depends only on the route,
/// the method and the caller, so it never reveals whether a repository exists. On success it leaves a
/// <see cref="CallerAccess"/> in the request's features.
/// </summary>
/// <remarks>With auth off it needs nothing but <see cref="AuthOptions"/>; the rest is resolved on first use.</remarks>
public sealed partial class AccessGate(AuthOptions options, IServiceProvider services, ILogger<AccessGate> logger)
{
    private AccessPolicy? _policy;
    private CredentialVerifier? _credentials;
    private LoginThrottle? _throttle;
    private AuthChallenges? _challenges;
    private TokenValidator? _tokens;
    private RequestAudit? _audit;
    private readonly Wharf.Core.Telemetry.WharfMetrics? _metrics = services.GetService<Wharf.Core.Telemetry.WharfMetrics>();

    private AccessPolicy Policy => _policy ??= services.GetRequiredService<AccessPolicy>();

    private CredentialVerifier Credentials => _credentials ??= services.GetRequiredService<CredentialVerifier>();

    private LoginThrottle Throttle => _throttle ??= services.GetRequiredService<LoginThrottle>();

    private AuthChallenges Challenges => _challenges ??= services.GetRequiredService<AuthChallenges>();

    private RequestAudit Audit => _audit ??= services.GetRequiredService<RequestAudit>();

    public bool Enabled => options.Mode != AuthMode.None;

    /// <summary>Null when the request may proceed, else the answer to send.</summary>
    public ValueTask<IResult?> AuthorizeAsync(HttpContext context, OciRoute route) =>
        options.Mode == AuthMode.Basic ? AuthorizeBasicAsync(context, route) : AuthorizeBearerAsync(context, route);

    private async ValueTask<IResult?> AuthorizeBasicAsync(HttpContext context, OciRoute route)
    {
        var required = RequiredAccess.For(route, context.Request.Method);
        var principal = Principal.Anonymous;
        if (AuthorizationHeader.TryReadBasic(context.Request, out var username, out var password))
        {
            var signedIn = await SignInAsync(context, username, password);
            if (signedIn.Refusal is { } refusal)
            {
                return refusal;
            }

            principal = signedIn.Principal!;
        }

        context.Features.Set(new CallerAccess(repository => Policy.Allowed(principal, repository), principal.Name));
        var allowed = required.Kind switch
        {
            RequiredAccessKind.SignedIn => !principal.IsAnonymous,
            RequiredAccessKind.Catalog => true,
            _ => (Policy.Allowed(principal, required.Repository) & required.Actions) == required.Actions,
        };
        if (allowed)
        {
            return null;
        }

        return principal.IsAnonymous ? Challenges.Unauthorized(context, required) : AuthChallenges.Denied();
    }

    private async ValueTask<IResult?> AuthorizeBearerAsync(HttpContext context, OciRoute route)
    {
        var required = RequiredAccess.For(route, context.Request);
        var jwt = AuthorizationHeader.ReadBearer(context.Request);
        _tokens ??= services.GetRequiredService<TokenValidator>();
        var token = jwt is null ? null : await _tokens.ValidateAccessAsync(jwt);
        if (token is null)
        {
            return Challenges.Unauthorized(context, required);
        }

        Principal? principal = null;
        if (token.TokenId is { } tokenId)
        {
            // Revocation of an access token applies at once, also to JWTs already issued for it.
            principal = await Credentials.ResolveTokenAsync(tokenId, context.RequestAborted);
            if (principal is null)
            {
                return Challenges.Unauthorized(context, required);
            }
        }

        var allowed = required.Kind switch
        {
            RequiredAccessKind.SignedIn => true,
            RequiredAccessKind.Catalog => token.Access.Any(s => s.IsCatalog),
            _ => (Scope.On(token.Access, required.Repository) & required.Actions) == required.Actions
                && (required.MountFrom is not { } from || Scope.On(token.Access, from).HasFlag(AccessActions.Pull)),
        };
        if (!allowed)
        {
            return Challenges.Unauthorized(context, required, insufficientScope: true);
        }

        if (required.Kind == RequiredAccessKind.Catalog && token.IsOwn)
        {
            principal ??= token.Subject.Length == 0 ? Principal.Anonymous
                : await Credentials.ResolveUserAsync(token.Subject, context.RequestAborted) ?? Principal.Anonymous;
            var caller = principal;
            context.Features.Set(new CallerAccess(repository => Policy.Allowed(caller, repository), caller.Name));
        }
        else
        {
            context.Features.Set(new CallerAccess(repository => Scope.On(token.Access, repository), principal?.Name ?? NullIfEmpty(token.Subject)));
        }

        return null;
    }

    /// <summary>
    /// Checks Basic credentials under the throttle; used by the registry in basic mode and by the token service. Every
    /// failure goes to the audit log; a success only when <paramref name="auditSuccess"/> (a sign-in at the token
    /// service or the web UI, not every Basic-authenticated request).
    /// </summary>
    public async ValueTask<(Principal? Principal, IResult? Refusal)> SignInAsync(HttpContext context, string username, string password, bool auditSuccess = false)
    {
        var client = AuthorizationHeader.Client(context);
        if (await Throttle.RetryAfterAsync(client, username, context.RequestAborted) is { } wait)
        {
            LogThrottled(logger, Middleware.LogText.Escape(username), client);
            _metrics?.Login("throttled");
            return (null, AuthChallenges.TooManyRequests(wait));
        }

        var principal = await Credentials.VerifyAsync(username, password, context.RequestAborted);
        if (principal is null)
        {
            await Throttle.RecordFailureAsync(client, username, password);
            LogLoginFailed(logger, Middleware.LogText.Escape(username), client);
            _metrics?.Login("failure");
            await Audit.RecordAsAsync(context, username, AuditActions.LoginFailure, detail: context.Request.Path.Value);
            return (null, Challenges.BasicUnauthorized());
        }

        _metrics?.Login("success");
        if (auditSuccess)
        {
            await Audit.RecordAsAsync(context, principal.Name, AuditActions.LoginSuccess, detail: context.Request.Path.Value);
        }

        return (principal, null);
    }

    private static string? NullIfEmpty(string subject) => subject.Length == 0 ? null : subject;

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Failed login for user {User} from {Client}")]
    private static partial void LogLoginFailed(ILogger logger, string user, string client);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Login for user {User} from {Client} refused: too many failures")]
    private static partial void LogThrottled(ILogger logger, string user, string client);
}
