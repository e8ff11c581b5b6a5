using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>Digests that look almost right: each is refused with the spec's answer, never taken for another.</summary>
public sealed class DigestConfusionTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    /// <summary>Variants of the stored blob's digest, with the status and code a blob GET answers.</summary>
    public static TheoryData<string, int, string?> BlobReads => new()
    {
        { "sha512:{hex512}", 404, "BLOB_UNKNOWN" },           // well-formed, names no stored blob
        { "sha512:{hex}", 400, "DIGEST_INVALID" },            // a sha512 with sha256's length
        { "SHA256:{hex}", 400, "DIGEST_INVALID" },            // algorithms are lowercase
        { "sha256:{HEX}", 400, "DIGEST_INVALID" },            // sha256 hex is lowercase
        { "sha256:{hex63}", 400, "DIGEST_INVALID" },
        { "sha256:{hex}0", 400, "DIGEST_INVALID" },
        { "md5:0123456789abcdef0123456789abcdef", 400, "DIGEST_INVALID" },
        { "sha256+b64:{hex}", 400, "DIGEST_INVALID" },
        { "sha256:", 400, "DIGEST_INVALID" },
        { ":{hex}", 400, "DIGEST_INVALID" },
    };

    [Theory]
    [MemberData(nameof(BlobReads))]
    public async Task Blob_reads_with_a_confused_digest_get_the_spec_answer(string pattern, int status, string? code)
    {
        var response = await abuse.RawAsync("GET", $"/v2/team/app/blobs/{Expand(pattern)}");

        Assert.True(status == response.Status, $"{pattern}: {response}");
        Assert.Equal(code, AbuseServer.Code(response));
    }

    [Theory]
    [MemberData(nameof(BlobReads))]
    public async Task Manifest_reads_with_a_confused_digest_are_refused_with_a_spec_code(string pattern, int status, string? code)
    {
        _ = code;
        var response = await abuse.RawAsync("GET", $"/v2/team/app/manifests/{Expand(pattern)}");

        Assert.True(response.Status is 400 or 404, $"{pattern}: {response}");
        Assert.True(status != 404 || response.Status == 404, $"{pattern}: {response}");
        Assert.Contains(AbuseServer.Code(response), new[] { "DIGEST_INVALID", "MANIFEST_UNKNOWN" });
    }

    [Theory]
    [InlineData("sha512:{sha512-of-body}", 201, null)]          // a sha512 digest that matches: stored
    [InlineData("sha512:{hex512}", 400, "DIGEST_INVALID")]      // a sha512 for a body whose sha256 is given elsewhere
    [InlineData("sha256:{hex}", 400, "DIGEST_INVALID")]         // the digest of another body
    [InlineData("SHA256:{sha256-of-body}", 400, "DIGEST_INVALID")]
    [InlineData("sha256:{sha256-of-body-upper}", 400, "DIGEST_INVALID")]
    [InlineData("md5:0123456789abcdef0123456789abcdef", 400, "DIGEST_INVALID")]
    public async Task A_monolithic_upload_is_stored_only_under_its_true_digest(string pattern, int status, string? code)
    {
        var body = TestBlobs.Random(300);
        var digest = Expand(pattern)
            .Replace("{sha512-of-body}", Digests.Hex(Digests.Sha512(body)), StringComparison.Ordinal)
            .Replace("{sha256-of-body-upper}", Digests.Hex(Digests.Sha256(body)).ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{sha256-of-body}", Digests.Hex(Digests.Sha256(body)), StringComparison.Ordinal);

        var response = await abuse.RawAsync("POST", $"/v2/team/app/blobs/uploads/?digest={Uri.EscapeDataString(digest)}", body, [("Content-Type", MediaTypes.OctetStream)]);

        Assert.True(status == response.Status, $"{digest}: {response}");
        Assert.Equal(code, AbuseServer.Code(response));
        var stored = await abuse.RawAsync("HEAD", $"/v2/team/app/blobs/{(status == 201 ? digest : Digests.Sha256(body))}");
        Assert.Equal(status == 201 ? 200 : 404, stored.Status);
    }

    private string Expand(string pattern)
    {
        var hex = Digests.Hex(abuse.BlobDigest);
        return pattern
            .Replace("{hex512}", Digests.Hex(Digests.Sha512(abuse.Blob)), StringComparison.Ordinal)
            .Replace("{hex63}", hex[..63], StringComparison.Ordinal)
            .Replace("{HEX}", hex.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{hex}", hex, StringComparison.Ordinal);
    }
}
