using System.Net;
using Microsoft.AspNetCore.Http;

namespace Wharf.Http.Middleware;

/// <summary>
/// Makes the request's scheme, host and client address the ones the client used: from the configured
/// <see cref="PublicAddressOptions.BaseUrl"/>, else, for a request that comes from a trusted proxy, from its
/// <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c> and <c>X-Forwarded-For</c>. Anyone else's forwarding headers are
/// ignored, so a client cannot choose where Wharf sends it nor which address the login throttle counts.
/// </summary>
public sealed class PublicAddressMiddleware(RequestDelegate next, PublicAddressOptions options)
{
    private readonly IReadOnlyList<IPNetwork> _proxies = options.Proxies();
    private readonly Uri? _base = options.Base;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (_proxies.Count > 0 && IsTrusted(context.Connection.RemoteIpAddress))
        {
            if (First(request.Headers["X-Forwarded-Proto"]) is { } scheme && scheme is "http" or "https")
            {
                request.Scheme = scheme;
            }

            if (First(request.Headers["X-Forwarded-Host"]) is { } host && IsPlainHost(host))
            {
                request.Host = new HostString(host);
            }

            if (ClientBehindProxies(request.Headers["X-Forwarded-For"]) is { } client)
            {
                context.Connection.RemoteIpAddress = client;
            }
        }

        if (_base is not null)
        {
            request.Scheme = _base.Scheme;
            request.Host = HostString.FromUriComponent(_base);
        }

        return next(context);
    }

    private bool IsTrusted(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _proxies.Any(p => p.Contains(plain));
    }

    /// <summary>The first (client-facing) value of a header that proxies may have appended to.</summary>
    private static string? First(Microsoft.Extensions.Primitives.StringValues values)
    {
        var text = values.ToString();
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        var first = (comma < 0 ? text : text[..comma]).Trim();
        return first.Length == 0 ? null : first.ToLowerInvariant();
    }

    /// <summary>A host[:port] and nothing else: no path, credentials or spaces.</summary>
    private static bool IsPlainHost(string host) =>
        host.Length <= 255 && !host.AsSpan().ContainsAny("/\\@ ?#")
        && Uri.TryCreate("http://" + host + "/", UriKind.Absolute, out var uri) && uri.AbsolutePath == "/";

    /// <summary>The nearest address in <c>X-Forwarded-For</c> that is not itself a trusted proxy.</summary>
    private IPAddress? ClientBehindProxies(Microsoft.Extensions.Primitives.StringValues values)
    {
        var hops = values.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var address))
            {
                return null;
            }

            if (!IsTrusted(address))
            {
                return address;
            }
        }

        return null;
    }
}
