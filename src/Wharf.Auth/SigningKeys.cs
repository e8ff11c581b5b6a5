using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Wharf.Auth;

/// <summary>
/// Wharf's own token signing keys: every <c>*.pem</c> private key in the key directory is trusted; the newest
/// of the configured algorithm signs. One is created at first start (file 0600, directory 0700). The
/// <c>kid</c> is base64url of the first 16 bytes of SHA-256 over the public key.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(SigningCredentials credentials, IReadOnlyList<SecurityKey> all)
    {
        Credentials = credentials;
        All = all;
    }

    public SigningCredentials Credentials { get; }

    /// <summary>Every key whose signatures are accepted.</summary>
    public IReadOnlyList<SecurityKey> All { get; }

    public static SigningKeys LoadOrCreate(string directory, string algorithm)
    {
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        var fileName = algorithm == SecurityAlgorithms.RsaSha256 ? "signing-rs256.pem" : "signing-es256.pem";
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            Create(path, algorithm);
        }

        var keys = new List<(SecurityKey Key, string Algorithm, DateTime Written)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.pem"))
        {
            if (Load(File.ReadAllText(file)) is { } loaded)
            {
                keys.Add((loaded.Key, loaded.Algorithm, File.GetLastWriteTimeUtc(file)));
            }
        }

        var signing = keys.Where(k => k.Algorithm == algorithm).OrderByDescending(k => k.Written).First();
        return new SigningKeys(new SigningCredentials(signing.Key, algorithm), [.. keys.Select(k => k.Key)]);
    }

    /// <summary>A public key (or certificate) as a security key with its <c>kid</c>.</summary>
    public static string KeyId(byte[] subjectPublicKeyInfo) =>
        Base64UrlEncoder.Encode(SHA256.HashData(subjectPublicKeyInfo)[..16]);

    private static void Create(string path, string algorithm)
    {
        string pem;
        if (algorithm == SecurityAlgorithms.RsaSha256)
        {
            using var rsa = RSA.Create(2048);
            pem = rsa.ExportPkcs8PrivateKeyPem();
        }
        else
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            pem = ecdsa.ExportPkcs8PrivateKeyPem();
        }

        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temp, path, overwrite: false); // Two instances starting at once: the first key wins.
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
    }

    private static (SecurityKey Key, string Algorithm)? Load(string pem)
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

    internal static RSA? TryRsa(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }

    internal static ECDsa? TryEcdsa(string pem)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return ecdsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            return null;
        }
    }
}
