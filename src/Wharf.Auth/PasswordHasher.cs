using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.Auth;

/// <summary>
/// bcrypt hashing and verification. A successful verification is remembered for a minute, keyed by the
/// stored hash and an HMAC (under a per-process random key) of the offered password, so Basic mode does not
/// pay a bcrypt per request; a new password changes the stored hash and so misses at once.
/// </summary>
public sealed class PasswordHasher(AuthOptions options, TimeProvider time)
{
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(1);
    private const int MaxRemembered = 10_000;

    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);
    private readonly Lazy<string> _dummy = new(() => BCrypt.Net.BCrypt.HashPassword("wharf-dummy-password", options.BcryptCost));

    public string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, options.BcryptCost);

    /// <summary>True when <paramref name="password"/> matches <paramref name="hash"/>; a hash that is not bcrypt never matches.</summary>
    public bool Verify(string password, string hash)
    {
        var key = hash + "\n" + Convert.ToHexString(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(password)));
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && now < until)
        {
            return true;
        }

        bool ok;
        try
        {
            ok = IsBcrypt(hash) && BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            ok = false;
        }

        if (ok)
        {
            if (_verified.Count >= MaxRemembered)
            {
                _verified.Clear();
            }

            _verified[key] = now + Remember;
        }

        return ok;
    }

    /// <summary>Spends as long as a real verification, for a user that does not exist (no timing oracle for names).</summary>
    public void VerifyDummy(string password) => BCrypt.Net.BCrypt.Verify(password, _dummy.Value);

    /// <summary>bcrypt hashes as htpasswd and Wharf write them: <c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>.</summary>
    public static bool IsBcrypt(string hash) =>
        hash.Length == 60 && (hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2y$", StringComparison.Ordinal));
}
