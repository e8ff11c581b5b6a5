using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Auth;

/// <summary>
/// Remembers, for one throttle window, which wrong username-and-password pairs each client address has already
/// sent, so that resending the same mistake counts once. Only a keyed hash (HMAC-SHA256 under a key that lives and
/// dies with this process) is kept, never the password, and nothing is written anywhere. Per instance: behind a load
/// balancer a repeated mistake counts at most once per instance.
/// </summary>
internal sealed class RepeatedCredentials(AuthOptions options, TimeProvider time)
{
    private const int MaxEntries = 100_000;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True when this pair has not failed from <paramref name="client"/> within the window (and remembers it now).</summary>
    public bool FirstTime(string client, string username, string password)
    {
        var now = time.GetUtcNow();
        if (_seen.Count >= MaxEntries)
        {
            _seen.Clear();
        }

        var fingerprint = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{client}\0{username}\0{password}")));
        var first = true;
        _seen.AddOrUpdate(fingerprint, now, (_, seenAt) =>
        {
            if (seenAt + options.Throttle.Window > now)
            {
                first = false;
                return seenAt;
            }

            return now;
        });
        return first;
    }
}
