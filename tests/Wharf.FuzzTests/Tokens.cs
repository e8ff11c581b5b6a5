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

/// <summary>Tokens of JSON manifests.</summary>
public static class JsonTokens
{
    public static readonly IReadOnlyList<byte[]> Manifest = Tokens.Of(
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "1e999", "2", "0.5", "\\u0000", "\\ud800", "\"schemaVersion\":2",
        "\"mediaType\":", "\"config\":", "\"layers\":", "\"manifests\":", "\"subject\":", "\"artifactType\":", "\"annotations\":", "\"digest\":",
        "\"size\":", "\"sha256:" + Tokens.Sha256Hex + "\"", "\"application/vnd.oci.image.manifest.v1+json\"", "\"application/vnd.oci.image.index.v1+json\"",
        "\"application/vnd.docker.distribution.manifest.v2+json\"", "\"application/vnd.docker.distribution.manifest.list.v2+json\"",
        "\"application/vnd.docker.distribution.manifest.v1+json\"", "[[[[[[[[[[[[[[[[", "9223372036854775808", "{\"a\":{\"a\":{\"a\":");
}

/// <summary>Tokens of range headers.</summary>
public static class RangeTokens
{
    public static readonly IReadOnlyList<byte[]> All = Tokens.Of(
        "bytes", "bytes=", "bytes ", "-", "/", "*", ",", " ", "0", "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "+1", "-1", "\u0661", "\t", "=", "00000000000000000000001");
}

/// <summary>Tokens of Authorization headers.</summary>
public static class HeaderTokens
{
    public static readonly IReadOnlyList<byte[]> Authorization = Tokens.Of(
        "Basic ", "Bearer ", "basic", "BEARER", " ", "\t", ":", "=", "==", "+", "/", "-", "_", ".", "YWxpY2U6cHc=", "eyJ", "\u00ff", "\r\n");
}

/// <summary>Tokens of JWTs: separators, base64url pieces and headers that name other algorithms or shapes.</summary>
public static class JwtTokens
{
    public static readonly IReadOnlyList<string> Headers =
    [
        """{"alg":"none"}""", """{"alg":"ES256","kid":"unknown"}""", """{"alg":"HS256","typ":"JWT"}""", """{"alg":"RS256"}""",
        """{"alg":"RSA-OAEP","enc":"A256GCM"}""", """{"alg":"dir","enc":"A128CBC-HS256","zip":"DEF"}""", """{"alg":"ES256","crit":["b64"],"b64":false}""",
        """{"alg":"ES256","jku":"http://127.0.0.1:1/keys"}""", """{"alg":"ES256","x5u":"http://127.0.0.1:1/cert"}""", """{"alg":"ES256","x5c":["AAAA"]}""",
        """{"alg":["ES256"]}""", """{"alg":null}""", """{}""", """[]""", "\"ES256\"", """{"alg":"ES256","kid":{"a":1}}""",
    ];

    public static readonly IReadOnlyList<string> Payloads =
    [
        """{"iss":"wharf","aud":"wharf","sub":"root","exp":9999999999}""", """{"exp":"soon"}""", """{"exp":1e400}""", """{"nbf":-1,"exp":-1}""",
        """{"access":[{"type":"repository","name":"x","actions":["*"]}]}""", """{"access":"all"}""", """{"aud":["wharf","x"],"exp":9999999999}""", "null",
    ];

    public static readonly IReadOnlyList<byte[]> Pieces = Tokens.Of(".", "..", "eyJ", "e30", "AAAA", "-", "_", "=", "+", "/", " ", "%2E", "\0");
}
