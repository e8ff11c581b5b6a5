using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Wharf.Http.Middleware;

/// <summary>
/// The <c>Http</c> section: how clients reach this registry, for the absolute URLs it sends (upload <c>Location</c>s,
/// the default token realm) and for the client address the login throttle counts.
/// </summary>
public sealed class PublicAddressOptions : IValidatableObject
{
    /// <summary>The registry's public root, e.g. <c>https://registry.example.com</c>; null means as each request reached it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) and networks (<c>10.0.0.0/8</c>) of reverse proxies whose <c>X-Forwarded-Proto</c>,
    /// <c>X-Forwarded-Host</c> and <c>X-Forwarded-For</c> are believed. No one's by default.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary><see cref="BaseUrl"/> parsed, or null.</summary>
    public Uri? Base => BaseUrl is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary><see cref="TrustedProxies"/> parsed (single addresses as one-address networks).</summary>
    public IReadOnlyList<IPNetwork> Proxies() =>
        [.. TrustedProxies.Select(p => TryParseProxy(p, out var network) ? network : throw new FormatException($"Http:TrustedProxies: '{p}' is not an address or network"))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            yield return new ValidationResult("Http:BaseUrl must be an http:// or https:// URL with no path, e.g. https://registry.example.com");
        }

        foreach (var proxy in TrustedProxies)
        {
            if (!TryParseProxy(proxy, out _))
            {
                yield return new ValidationResult($"Http:TrustedProxies: '{proxy}' is not an IP address or a network such as 10.0.0.0/8");
            }
        }
    }

    private static bool TryParseProxy(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }
}
