using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Auth;
using Wharf.Http.Results;

namespace Wharf.Http.Api;

/// <summary>
/// <c>/api/session</c>: the web UI signs in (POST <c>{"username","password"}</c>, which sets the session cookie),
/// asks who it is (GET) and signs out (DELETE). Sign-in goes through the same throttle as every other login.
/// </summary>
public static class SessionEndpoints
{
    private const int MaxBody = 4096;

    public static IEndpointRouteBuilder MapWharfSession(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/session", context => Describe(context).ExecuteAsync(context));
        endpoints.MapPost("/api/session", async context => await (await SignInAsync(context)).ExecuteAsync(context));
        endpoints.MapDelete("/api/session", context => SignOut(context).ExecuteAsync(context));
        return endpoints;
    }

    private static IResult Describe(HttpContext context)
    {
        var mode = context.RequestServices.GetRequiredService<AuthOptions>().Mode;
        var user = context.Features.Get<CallerAccess>()?.User;
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("authMode", mode.ToString().ToLowerInvariant());
            json.WriteString("user", user);
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetRequiredService<AuthOptions>().Mode == AuthMode.None)
        {
            return new ErrorResult(new RegistryError(ErrorCode.Unsupported, "auth is off: there is nothing to sign in to"));
        }

        // Login CSRF: another site's page must not sign its visitor in as someone else. A cross-site form or fetch
        // can send text/plain without a preflight, never application/json; the Origin check refuses the rest.
        if (!SameOrigin.Allows(context.Request))
        {
            return new ErrorResult(new RegistryError(ErrorCode.Denied, "sign-in is accepted only from this registry's own pages"));
        }

        if (!IsJson(context.Request.ContentType))
        {
            return new ErrorResult(new RegistryError(ErrorCode.Unsupported, "sign-in takes a JSON body (Content-Type: application/json)"));
        }

        if (await ReadCredentialsAsync(context) is not { } credentials)
        {
            return new ErrorResult(new RegistryError(ErrorCode.ApiRequestInvalid, "expected a JSON body {\"username\": …, \"password\": …}"));
        }

        var (principal, refusal) = await services.GetRequiredService<AccessGate>().SignInAsync(context, credentials.Username, credentials.Password, auditSuccess: true);
        if (principal is null)
        {
            return refusal is ErrorResult { Error.Code: ErrorCode.Unauthorized } || refusal is null ? new ErrorResult(ErrorCode.Unauthorized) : refusal;
        }

        services.GetRequiredService<SessionCookie>().Write(context, principal);
        var mode = services.GetRequiredService<AuthOptions>().Mode;
        return new JsonBodyResult("application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("authMode", mode.ToString().ToLowerInvariant());
            json.WriteString("user", principal.Name);
            json.WriteEndObject();
        });
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && string.Equals(type.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase);

    private static IResult SignOut(HttpContext context)
    {
        // Whoever the caller was no longer matters (a session that ended may sign out too), but another site may not.
        if (!SameOrigin.Allows(context.Request))
        {
            return new ErrorResult(new RegistryError(ErrorCode.Denied, "sign-out is accepted only from this registry's own pages"));
        }

        SessionCookie.Clear(context.Response);
        return TypedResults.NoContent();
    }

    private static async Task<(string Username, string Password)?> ReadCredentialsAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBody)
        {
            return null;
        }

        try
        {
            var buffer = new byte[MaxBody + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }

            if (length > MaxBody)
            {
                return null;
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("username", out var username) && username.ValueKind == JsonValueKind.String
                && root.TryGetProperty("password", out var password) && password.ValueKind == JsonValueKind.String
                ? (username.GetString()!, password.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
