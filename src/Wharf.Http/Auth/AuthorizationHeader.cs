using System.Text;
using Microsoft.AspNetCore.Http;

namespace Wharf.Http.Auth;

/// <summary>Reads <c>Authorization: Basic</c> and <c>Bearer</c> credentials. Never logs them.</summary>
public static class AuthorizationHeader
{
    public static bool TryReadBasic(HttpRequest request, out string username, out string password)
    {
        username = password = "";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 8192)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[header.Length];
        if (!Convert.TryFromBase64String(header[6..].Trim(), bytes, out var written))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes[..written]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        username = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    public static string? ReadBearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>The client address the throttle counts against.</summary>
    public static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "-";
}
