using System.Text;
using Wharf.Core.Protocol;
using static Wharf.Tests.Core.Protocol.GoldenManifests;

namespace Wharf.Tests.Core.Protocol;

public sealed class ManifestParserMediaTypeTests
{
    [Theory]
    [InlineData("APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON")]
    [InlineData("Application/vnd.oci.image.manifest.v1+json")]
    public void Content_type_matches_case_insensitively(string contentType)
    {
        var result = ManifestParser.Parse(Read("oci-image-manifest.json"), contentType);
        Assert.True(result.IsOk, result.Error?.EffectiveMessage);
        Assert.Equal(MediaTypes.OciManifest, result.Value.MediaType);
    }

    [Fact]
    public void Duplicate_layers_key_uses_the_last_value_like_other_registries()
    {
        var body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\","
            + "\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + Config + "\",\"size\":1},"
            + "\"layers\":[],"
            + "\"layers\":[{\"mediaType\":\"a/b\",\"digest\":\"" + Layer1 + "\",\"size\":1}]}";
        var result = ManifestParser.Parse(Encoding.UTF8.GetBytes(body), MediaTypes.OciManifest);
        Assert.True(result.IsOk);
        Assert.Equal([Config, Layer1], result.Value.Blobs.Select(b => b.Digest.Value));
    }
}
