using System.Text;

namespace Wharf.FuzzTests;

/// <summary>Dictionary tokens the mutations insert: the pieces each grammar is built from.</summary>
public static class Tokens
{
    public const string Sha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static IReadOnlyList<byte[]> Of(params string[] tokens) => [.. tokens.Select(Encoding.UTF8.GetBytes)];

    public static readonly IReadOnlyList<byte[]> Path = Of(
        "/v2/", "/", "//", "manifests", "blobs", "uploads", "/tags/list", "referrers", "_catalog", "sha256:", "sha512:", Sha256Hex,
        "..", ".", "%2F", "%2e", "-", "__", "_", "a", "library", ":", "@", "0123456789abcdef0123456789abcdef", "\u00e9", "\0", "?", "#", "~");
}
