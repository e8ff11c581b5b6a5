using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.EndToEndTests.Webhooks;

/// <summary>
/// The receiver's check of <c>Wharf-Signature</c>, written from the documented format and nothing of Wharf's:
/// <c>t=&lt;unix seconds&gt;,v1=&lt;lower-case hex HMAC-SHA256, keyed with the secret, of "&lt;t&gt;." followed by the body&gt;</c>.
/// </summary>
internal static class SignatureCheck
{
    /// <summary>Fails unless <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/>; the signing time.</summary>
    public static DateTimeOffset Verify(string secret, string? header, byte[] body)
    {
        Assert.False(string.IsNullOrEmpty(header), "the delivery carries no Wharf-Signature header");
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        Assert.True(parts.ContainsKey("t") && parts.ContainsKey("v1"), $"Wharf-Signature '{header}' lacks t= or v1=");
        var timestamp = parts["t"];
        Assert.Matches("^[0-9]+$", timestamp);
        Assert.Matches("^[0-9a-f]{64}$", parts["v1"]);

        var signed = Encoding.ASCII.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        Assert.True(expected == parts["v1"], $"Wharf-Signature '{header}' is not HMAC-SHA256(secret, \"{timestamp}.\" + body) = {expected}");
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, CultureInfo.InvariantCulture));
    }
}
