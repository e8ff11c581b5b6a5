using System.Security.Cryptography;

namespace Wharf.Core.Protocol;

/// <summary>
/// A content digest, <c>algorithm:encoded</c>. Only sha256 and sha512 are accepted, with lower-case hex
/// of the right length, so a parsed digest is always safe to use as a storage path component.
/// </summary>
public sealed record Digest
{
    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
        Value = algorithm + ":" + encoded;
    }

    public string Algorithm { get; }

    public string Encoded { get; }

    /// <summary>The full text form, e.g. <c>sha256:ab…</c>.</summary>
    public string Value { get; }

    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    public override string ToString() => Value;

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = null!;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var algorithm = text[..colon];
        var encoded = text[(colon + 1)..];
        var expected = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => -1,
        };
        if (expected < 0 || encoded.Length != expected || !IsLowerHex(encoded))
        {
            return false;
        }

        digest = new Digest(algorithm, encoded);
        return true;
    }

    /// <summary>True when <paramref name="text"/> has the general digest grammar but an algorithm Wharf does not implement.</summary>
    public static bool HasUnsupportedAlgorithm(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && text[..colon] is not (Sha256 or Sha512);
    }

    public static Digest Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"Not a valid digest: '{text}'");

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    public static Digest Compute(ReadOnlySpan<byte> content) => FromHash(Sha256, SHA256.HashData(content));

    public static Digest Compute(string algorithm, ReadOnlySpan<byte> content) => algorithm switch
    {
        Sha512 => FromHash(Sha512, SHA512.HashData(content)),
        _ => FromHash(Sha256, SHA256.HashData(content)),
    };

    public static HashAlgorithmName HashName(string algorithm) =>
        algorithm == Sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    private static bool IsLowerHex(string s)
    {
        foreach (var c in s)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
