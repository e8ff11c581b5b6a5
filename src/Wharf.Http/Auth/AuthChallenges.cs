using System.Globalization;
using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Results;

namespace Wharf.Http.Auth;

/// <summary>The 401, 403 and 429 answers of auth, with their <c>WWW-Authenticate</c> and <c>Retry-After</c> headers.</summary>
public sealed class AuthChallenges(AuthOptions options)
{
    /// <summary>401 asking for credentials: Basic in basic mode, a Bearer challenge naming the token service in token mode.</summary>
    public ErrorResult Unauthorized(HttpContext context, RequiredAccess? required, bool insufficientScope = false)
    {
        string challenge;
        if (options.Mode == AuthMode.Basic)
        {
            challenge = $"Basic realm=\"{options.Realm}\"";
        }
        else
        {
            challenge = $"Bearer realm=\"{Realm(context)}\",service=\"{options.Token.Service}\"";
            if (required?.ChallengeScope is { } scope)
            {
                challenge += $",scope=\"{scope}\"";
            }

            if (insufficientScope)
            {
                challenge += ",error=\"insufficient_scope\"";
            }
        }

        return new ErrorResult(ErrorCode.Unauthorized) { Headers = [new("WWW-Authenticate", challenge)] };
    }

    /// <summary>
    /// 401 asking for a username and password, in every mode: the answer to wrong credentials at a login (the token
    /// service included: a Bearer challenge there would send the client to the very endpoint it is talking to).
    /// </summary>
    public ErrorResult BasicUnauthorized() =>
        new(ErrorCode.Unauthorized) { Headers = [new("WWW-Authenticate", $"Basic realm=\"{options.Realm}\"")] };

    public static ErrorResult Denied() => new(ErrorCode.Denied);

    public static ErrorResult TooManyRequests(TimeSpan retryAfter) => new(ErrorCode.TooManyRequests)
    {
        Headers = [new("Retry-After", Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture))],
    };

    /// <summary>The token service URL: configured, or this server's <c>/auth/token</c> as the client reached it.</summary>
    public string Realm(HttpContext context) =>
        options.Token.Realm ?? $"{context.Request.Scheme}://{context.Request.Host}/auth/token";
}
