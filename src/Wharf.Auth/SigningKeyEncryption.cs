using System.Security.Cryptography;
using System.Text;

namespace Wharf.Auth;

/// <summary>
/// Encrypts token signing keys at rest with AES-256-GCM under <c>Auth:Token:KeyEncryptionKey</c> (or the file named by
/// <c>KeyEncryptionKeyFile</c>), so that a copy of the database alone cannot forge tokens. A stored key reads
/// <c>wharf-aes256gcm:</c> + base64(nonce ‖ tag ‖ ciphertext), the key id bound as associated data so that rows cannot
/// be swapped. Keys stored before (PKCS#8 PEM in clear) still load; <c>wharf token rotate-key</c> and, once
/// <c>RefreshLifetime</c> has passed, <c>retire-key</c> replace them with encrypted ones.
/// </summary>
public sealed class SigningKeyEncryption
{
    public const string Prefix = "wharf-aes256gcm:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SigningKeyEncryption(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("a key encryption key is 32 bytes", nameof(key));
        }

        _key = key;
    }

    /// <summary>The configured encryption, or null when no key encryption key is configured.</summary>
    public static SigningKeyEncryption? From(TokenOptions options) =>
        ReadKey(options) is { } key ? new SigningKeyEncryption(key) : null;

    /// <summary>The 32-byte key from <c>KeyEncryptionKey</c> (base64) or <c>KeyEncryptionKeyFile</c> (base64 text or 32 raw bytes); null when neither is set.</summary>
    public static byte[]? ReadKey(TokenOptions options)
    {
        if (options.KeyEncryptionKey is { Length: > 0 } text)
        {
            return Decode(text) ?? throw new FormatException("Auth:Token:KeyEncryptionKey must be 32 bytes in base64 (openssl rand -base64 32)");
        }

        if (options.KeyEncryptionKeyFile is { Length: > 0 } file)
        {
            var bytes = File.ReadAllBytes(file);
            return bytes.Length == 32 ? bytes
                : Decode(Encoding.ASCII.GetString(bytes).Trim()) ?? throw new FormatException($"{file} must hold 32 bytes, raw or in base64");
        }

        return null;
    }

    /// <summary>The stored form of <paramref name="pem"/>, the private key of <paramref name="kid"/>.</summary>
    public string Protect(string kid, string pem)
    {
        var plain = Encoding.UTF8.GetBytes(pem);
        var sealedKey = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedKey.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedKey.AsSpan(NonceSize + TagSize), sealedKey.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(kid));
        return Prefix + Convert.ToBase64String(sealedKey);
    }

    /// <summary>The PEM of a stored key: decrypted, or as stored when it was stored in clear; null when it cannot be decrypted.</summary>
    public string? Unprotect(string kid, string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        try
        {
            var sealedKey = Convert.FromBase64String(stored[Prefix.Length..]);
            if (sealedKey.Length <= NonceSize + TagSize)
            {
                return null;
            }

            var plain = new byte[sealedKey.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedKey.AsSpan(0, NonceSize), sealedKey.AsSpan(NonceSize + TagSize), sealedKey.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(kid));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null; // Another key encryption key, or a damaged row: the key is unreadable (and logged as such).
        }
    }

    private static byte[]? Decode(string base64)
    {
        var buffer = new byte[32];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == 32 ? buffer : null;
    }
}
