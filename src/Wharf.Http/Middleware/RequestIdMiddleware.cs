using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Wharf.Http.Middleware;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is sane, else a fresh one. The id becomes
/// <see cref="HttpContext.TraceIdentifier"/>, is echoed on every response (errors included) and is the
/// <c>RequestId</c> of a logging scope, so every line logged for the request carries it.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-Id";

    /// <summary>The longest caller-supplied id kept; a longer one is replaced.</summary>
    public const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var id = Accept(context.Request.Headers[Header].ToString()) ?? NewId();
        context.TraceIdentifier = id;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope(new RequestIdScope(id)))
        {
            await next(context);
        }
    }

    /// <summary>The caller's id if it has 1–128 printable ASCII characters and no space, else null.</summary>
    public static string? Accept(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaxLength)
        {
            return null;
        }

        foreach (var c in candidate)
        {
            if (c <= ' ' || c > '~')
            {
                return null;
            }
        }

        return candidate;
    }

    /// <summary>A short id unique enough to tell requests apart: 16 hexadecimal digits from a random source.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

/// <summary>The logging scope of one request: a single <c>RequestId</c> property (the JSON formatter writes it as such).</summary>
public sealed class RequestIdScope(string id) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("RequestId", id) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "RequestId:" + id;
}
