using System.Text;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Core.Protocol;

public sealed class DigestTests
{
    private static readonly string Hex64 = new('a', 64);
    private static readonly string Hex128 = new('0', 128);

    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")]
    public void Well_formed_digest_parses(string text)
    {
        Assert.True(Digest.TryParse(text, out var digest));
        Assert.Equal(text, digest.Value);
        Assert.Equal(text, digest.ToString());
        Assert.Equal(text[..6], digest.Algorithm);
        Assert.Equal(text[7..], digest.Encoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha384:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData(" sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ")]
    [InlineData("sha256::3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../../../../etc")]
    public void Malformed_digest_is_refused(string? text) => Assert.False(Digest.TryParse(text, out _));

    [Fact]
    public void Sha256_with_128_hex_is_refused() => Assert.False(Digest.TryParse("sha256:" + Hex128, out _));

    [Fact]
    public void Sha512_with_64_hex_is_refused() => Assert.False(Digest.TryParse("sha512:" + Hex64, out _));

    [Fact]
    public void Sha512_with_uppercase_hex_is_refused() => Assert.False(Digest.TryParse("sha512:" + new string('A', 128), out _));

    [Fact]
    public void Parse_throws_FormatException_on_malformed_text() => Assert.Throws<FormatException>(() => Digest.Parse("sha256:xyz"));

    [Theory]
    [InlineData("sha384:abc", true)]
    [InlineData("blake3:abc", true)]
    [InlineData("sha256:abc", false)]
    [InlineData("sha512:abc", false)]
    [InlineData("noColon", false)]
    [InlineData(":abc", false)]
    public void HasUnsupportedAlgorithm_names_algorithms_Wharf_lacks(string text, bool expected) =>
        Assert.Equal(expected, Digest.HasUnsupportedAlgorithm(text));

    [Fact]
    public void Compute_of_empty_content_is_the_well_known_sha256() =>
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute([]).Value);

    [Fact]
    public void Compute_sha512_of_abc_is_the_well_known_value() =>
        Assert.Equal(
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            Digest.Compute(Digest.Sha512, Encoding.ASCII.GetBytes("abc")).Value);

    [Fact]
    public void Digests_with_equal_text_are_equal()
    {
        var a = Digest.Parse("sha256:" + Hex64);
        var b = Digest.Parse("sha256:" + Hex64);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }
}
