using System.Text;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using static Wharf.Tests.Core.Protocol.GoldenManifests;

namespace Wharf.Tests.Core.Protocol;

public sealed class ManifestParserTests
{
    private const string ConfigDescriptor = $$"""{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Config}}","size":2}""";

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"manifest\"")]
    [InlineData("2")]
    [InlineData("{")]
    [InlineData("{} trailing")]
    [InlineData("{\"schemaVersion\":2,}")]
    public void Non_object_or_broken_json_is_manifest_invalid(string body) => AssertInvalid(body, MediaTypes.OciManifest);

    [Theory]
    [InlineData("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":\"2\",\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":2.5,\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":null,\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":0,\"config\":" + ConfigDescriptor + "}")]
    public void Schema_version_other_than_2_is_refused(string body) => AssertInvalid(body, MediaTypes.OciManifest);

    [Theory]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":7,\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":2,\"artifactType\":[],\"config\":" + ConfigDescriptor + "}")]
    [InlineData("{\"schemaVersion\":2,\"config\":null}")]
    [InlineData("{\"schemaVersion\":2,\"config\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + ",\"layers\":{}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + ",\"layers\":[null]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + ",\"subject\":\"x\"}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + Config + "\",\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"\",\"digest\":\"" + Config + "\",\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + Config + "\"}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + Config + "\",\"size\":1.5}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + Config + "\",\"size\":\"2\"}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha384:abc\",\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":7,\"size\":2}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + Config + "\",\"size\":99999999999999999999}}")]
    public void Malformed_fields_are_manifest_invalid(string body) => AssertInvalid(body, null);

    [Theory]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":null}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{}]}")]
    public void Index_needs_a_manifests_array_of_descriptors(string body) => AssertInvalid(body, MediaTypes.OciIndex);

    [Fact]
    public void Index_with_empty_manifests_is_accepted()
    {
        var result = ManifestParser.Parse("{\"schemaVersion\":2,\"manifests\":[]}"u8, MediaTypes.OciIndex);
        Assert.True(result.IsOk);
        Assert.Empty(result.Value.Manifests);
    }

    [Fact]
    public void Oci_manifest_without_layers_is_accepted_with_only_its_config()
    {
        var result = ManifestParser.Parse(Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + "}"), MediaTypes.OciManifest);
        Assert.True(result.IsOk);
        Assert.Equal([Config], result.Value.Blobs.Select(b => b.Digest.Value));
    }

    [Fact]
    public void Null_subject_is_no_subject()
    {
        var result = ManifestParser.Parse(Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + ",\"subject\":null}"), null);
        Assert.True(result.IsOk);
        Assert.Null(result.Value.Subject);
    }

    [Fact]
    public void Unknown_body_media_type_without_content_type_is_refused() =>
        AssertInvalid("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\",\"config\":" + ConfigDescriptor + "}", null);

    [Fact]
    public void Deeply_nested_json_is_refused_without_throwing()
    {
        var body = "{\"schemaVersion\":2,\"annotations\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        AssertInvalid(body, MediaTypes.OciManifest);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var result = ManifestParser.Parse(Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"x-extra\":{\"a\":[1,2]},\"config\":" + ConfigDescriptor + "}"), MediaTypes.OciManifest);
        Assert.True(result.IsOk);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("application/json", "application/json")]
    [InlineData(" application/json ; charset=utf-8", "application/json")]
    [InlineData("a/b;x=y;z=w", "a/b")]
    public void Content_type_parameters_and_whitespace_are_stripped(string? contentType, string? expected) =>
        Assert.Equal(expected, ManifestParser.NormalizeContentType(contentType));

    /// <summary>Found by fuzzing: reading a string with invalid UTF-8 threw, which answered a push with a 500.</summary>
    [Fact]
    public void A_body_with_invalid_utf8_in_a_string_is_manifest_invalid()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{ConfigDescriptor}},"layers":[]}""")
            .Select(b => b == (byte)'+' ? (byte)0xFF : b).ToArray();
        var result = ManifestParser.Parse(body, null);
        Assert.Equal(ErrorCode.ManifestInvalid, result.Error?.Code);
    }

    /// <summary>Found by fuzzing: a string escaping a lone surrogate is valid JSON, but reading it threw (a 500).</summary>
    [Theory]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\\ud800\",\"config\":" + ConfigDescriptor + ",\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"artifactType\":\"\\udc00x\",\"config\":" + ConfigDescriptor + ",\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\\ud800\",\"digest\":\"" + Config + "\",\"size\":2},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:\\ud800\",\"size\":2},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":" + ConfigDescriptor + ",\"layers\":[{\"mediaType\":\"a\",\"digest\":\"" + Config + "\",\"size\":2,\"artifactType\":\"\\ud800\\ud800\"}]}")]
    public void A_string_escaping_a_lone_surrogate_is_manifest_invalid(string body) => AssertInvalid(body, null);

    private static void AssertInvalid(string body, string? contentType)
    {
        var result = ManifestParser.Parse(Encoding.UTF8.GetBytes(body), contentType);
        Assert.False(result.IsOk, "expected a refusal");
        Assert.Equal(ErrorCode.ManifestInvalid, result.Error!.Code);
    }
}
