using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Http.Webhooks;

/// <summary>
/// The <c>Wharf-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;." followed by the body&gt;</c>,
/// keyed with the endpoint's secret. The timestamp lets a receiver refuse old replays.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "Wharf-Signature";

    public static string Create(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={timestamp},v1={Compute(secret, timestamp, body)}";
    }

    /// <summary>Whether <paramref name="header"/> is a valid signature of <paramref name="body"/> under <paramref name="secret"/> (the check a receiver makes).</summary>
    public static bool Verify(string secret, string header, ReadOnlySpan<byte> body)
    {
        string? timestamp = null, signature = null;
        foreach (var part in header.Split(','))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                timestamp = part[2..];
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                signature = part[3..];
            }
        }

        return timestamp is not null && signature is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
    }

    private static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
