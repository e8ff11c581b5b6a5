using System.Security.Cryptography;

namespace Wharf.TestKit;

/// <summary>sha256 content digests in the OCI form <c>sha256:&lt;64 hex&gt;</c>.</summary>
public static class OciLayoutDigests
{
    public static string Sha256(ReadOnlySpan<byte> content) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Sha256(Stream content) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The hex part of a <c>sha256:</c> digest.</summary>
    public static string Hex(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71
            ? digest[7..]
            : throw new ArgumentException($"not a sha256 digest: '{digest}'", nameof(digest));
}
