using Microsoft.AspNetCore.Http;

namespace Wharf.Http.Api;

/// <summary>
/// Whether a state-changing browser request comes from Wharf's own pages: its <c>Origin</c> (when the browser sends
/// one) is this registry's scheme and host as the client reached it, and <c>Sec-Fetch-Site</c> (when sent) does not
/// say cross-site. Requests from non-browser clients carry neither and pass.
/// </summary>
public static class SameOrigin
{
    public static bool Allows(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return true;
        }

        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            return false;
        }

        return request.Headers.Origin.All(o => Uri.TryCreate(o, UriKind.Absolute, out var origin)
            && string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(origin.Authority, new Uri($"{request.Scheme}://{request.Host}").Authority, StringComparison.OrdinalIgnoreCase));
    }
}
