using System.Security.Cryptography;
using System.Text;

namespace Wharf.IntegrationTests.Infrastructure;

/// <summary>Digest and test-content helpers.</summary>
public static class Digests
{
    public const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string EmptyJsonSha256 = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    public static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha512(ReadOnlySpan<byte> data) => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(data));

    /// <summary>A sha256 digest of random bytes: a digest no test has pushed.</summary>
    public static string Unknown() => Sha256(RandomNumberGenerator.GetBytes(32));

    public static string Hex(string digest) => digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..];
}

/// <summary>Blob content generators.</summary>
public static class TestBlobs
{
    public static byte[] Random(int size) => RandomNumberGenerator.GetBytes(size);

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A small, unique OCI image config.</summary>
    public static byte[] Config(string? author = null) => Text(
        "{\n\t\"author\": \"" + (author ?? Guid.NewGuid().ToString("N")) + "\",\n\t\"architecture\": \"amd64\",\n\t\"os\": \"linux\",\n\t\"rootfs\": {\n\t\t\"type\": \"layers\",\n\t\t\"diff_ids\": []\n\t}\n}");
}
