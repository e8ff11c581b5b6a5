using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>Signing keys as PKCS#8 PEM text: creating one, reading one back, and its <c>kid</c>.</summary>
public static class SigningKeyPem
{
    /// <summary>A fresh private key for <paramref name="algorithm"/> (ES256: P-256; RS256: RSA 2048) and its kid.</summary>
    public static (string Kid, string Pem) Create(string algorithm)
    {
        if (algorithm == SecurityAlgorithms.RsaSha256)
        {
            using var rsa = RSA.Create(2048);
            return (KeyId(rsa.ExportSubjectPublicKeyInfo()), rsa.ExportPkcs8PrivateKeyPem());
        }

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (KeyId(ecdsa.ExportSubjectPublicKeyInfo()), ecdsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The key (with its kid) and its JWS algorithm, or null when <paramref name="pem"/> holds no RSA or EC key.</summary>
    public static (SecurityKey Key, string Algorithm)? Read(string pem)
    {
        if (TryRsa(pem) is { } rsa)
        {
            return (new RsaSecurityKey(rsa) { KeyId = KeyId(rsa.ExportSubjectPublicKeyInfo()) }, SecurityAlgorithms.RsaSha256);
        }

        if (TryEcdsa(pem) is { } ecdsa)
        {
            return (new ECDsaSecurityKey(ecdsa) { KeyId = KeyId(ecdsa.ExportSubjectPublicKeyInfo()) }, SecurityAlgorithms.EcdsaSha256);
        }

        return null;
    }

    /// <summary>The <c>kid</c> of a public key: base64url of the first 16 bytes of SHA-256 over its SubjectPublicKeyInfo.</summary>
    public static string KeyId(byte[] subjectPublicKeyInfo) =>
        Base64UrlEncoder.Encode(SHA256.HashData(subjectPublicKeyInfo)[..16]);

    internal static RSA? TryRsa(string pem) => TryImport(RSA.Create(), pem);

    internal static ECDsa? TryEcdsa(string pem) => TryImport(ECDsa.Create(), pem);

    /// <summary><paramref name="key"/> with <paramref name="pem"/> imported, or null (and <paramref name="key"/> disposed) when the PEM holds no key of its kind.</summary>
    private static T? TryImport<T>(T key, string pem)
        where T : AsymmetricAlgorithm
    {
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }
}
