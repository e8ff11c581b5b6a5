using System.Globalization;
using System.Net;

namespace Wharf.Hosting;

/// <summary>A parsed <c>HOST:PORT</c> listen address.</summary>
public sealed record ListenAddress(IPAddress? Address, string Host, int Port)
{
    /// <summary>True when only this machine can connect.</summary>
    public bool IsLoopback => Address is not null ? IPAddress.IsLoopback(Address) : Host == "localhost";

    public static ListenAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = text[..colon].Trim('[', ']');
        var port = int.Parse(text[(colon + 1)..], CultureInfo.InvariantCulture);
        if (port is < 0 or > 65535)
        {
            throw new FormatException($"Port out of range in '{text}'");
        }

        var address = host is "localhost" ? null : IPAddress.TryParse(host, out var ip) ? ip : null;
        if (address is null && host is not "localhost")
        {
            address = Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new FormatException($"Cannot resolve '{host}'");
        }

        return new ListenAddress(address, host, port);
    }
}
