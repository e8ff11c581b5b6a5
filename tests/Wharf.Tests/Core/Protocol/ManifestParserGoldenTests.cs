using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using static Wharf.Tests.Core.Protocol.GoldenManifests;

namespace Wharf.Tests.Core.Protocol;

public sealed class ManifestParserGoldenTests
{
    private const string Oci = MediaTypes.OciManifest;
    private const string OciIndex = MediaTypes.OciIndex;
    private const string Docker = MediaTypes.DockerManifest;
    private const string DockerList = MediaTypes.DockerManifestList;

    /// <summary>Accepted manifests: digests are comma-separated, in document order.</summary>
    [Theory]
    [InlineData("oci-image-manifest.json", Oci, Oci, "application/vnd.oci.image.config.v1+json", Config + "," + Layer1 + "," + Layer2, "", null)]
    [InlineData("oci-index.json", OciIndex, OciIndex, null, "", Manifest1 + "," + Manifest2, null)]
    [InlineData("docker-schema2.json", Docker, Docker, "application/vnd.docker.container.image.v1+json", Config + "," + Layer1, "", null)]
    [InlineData("docker-manifest-list.json", DockerList, DockerList, null, "", Manifest1 + "," + Manifest2, null)]
    [InlineData("artifact-with-artifact-type.json", Oci, Oci, "application/vnd.example.sbom.v1", Config + "," + Layer1, "", null)]
    [InlineData("artifact-custom-config.json", Oci, Oci, "application/vnd.cncf.helm.config.v1+json", Config + "," + Layer1, "", null)]
    [InlineData("subject-and-annotations.json", Oci, Oci, "application/vnd.dev.cosign.artifact.sig.v1+json", Empty + "," + Layer2, "", Manifest1)]
    [InlineData("index-with-subject.json", OciIndex, OciIndex, "application/vnd.example.bundle.v1", "", Manifest2, Manifest1)]
    [InlineData("index-without-media-type.json", OciIndex, OciIndex, null, "", Manifest1, null)]
    [InlineData("index-without-media-type.json", "application/json", OciIndex, null, "", Manifest1, null)]
    [InlineData("index-without-media-type.json", null, OciIndex, null, "", Manifest1, null)]
    [InlineData("oci-image-manifest.json", null, Oci, "application/vnd.oci.image.config.v1+json", Config + "," + Layer1 + "," + Layer2, "", null)]
    [InlineData("docker-schema2.json", "application/json", Docker, "application/vnd.docker.container.image.v1+json", Config + "," + Layer1, "", null)]
    [InlineData("oci-image-manifest.json", Oci + "; charset=utf-8", Oci, "application/vnd.oci.image.config.v1+json", Config + "," + Layer1 + "," + Layer2, "", null)]
    public void Accepted_golden_manifest_yields_its_references(
        string file, string? contentType, string mediaType, string? artifactType, string blobs, string manifests, string? subject)
    {
        var result = ManifestParser.Parse(Read(file), contentType);

        Assert.True(result.IsOk, result.Error?.EffectiveMessage);
        var parsed = result.Value;
        Assert.Equal(mediaType, parsed.MediaType);
        Assert.Equal(artifactType, parsed.ArtifactType);
        Assert.Equal(Split(blobs), parsed.Blobs.Select(d => d.Digest.Value));
        Assert.Equal(Split(manifests), parsed.Manifests.Select(d => d.Digest.Value));
        Assert.Equal(subject, parsed.Subject?.Digest.Value);
    }

    [Theory]
    [InlineData("schema1.json", "application/vnd.docker.distribution.manifest.v1+prettyjws", "schema1")]
    [InlineData("schema1.json", "application/vnd.docker.distribution.manifest.v1+json", "schema1")]
    [InlineData("schema1.json", null, "schema1")]
    [InlineData("schema1.json", "application/json", "schema1")]
    [InlineData("oci-image-manifest.json", "application/vnd.docker.distribution.manifest.v1+prettyjws", "schema1")]
    [InlineData("invalid-json.json", Oci, "JSON")]
    [InlineData("mediatype-mismatch.json", Oci, "does not match")]
    [InlineData("oci-index.json", Oci, "does not match")]
    [InlineData("oci-image-manifest.json", Docker, "does not match")]
    [InlineData("missing-config.json", Oci, "config")]
    [InlineData("bad-descriptor-digest.json", Oci, "layers[0]")]
    [InlineData("negative-size.json", Oci, "config")]
    [InlineData("schema-version-3.json", Oci, "schemaVersion")]
    [InlineData("docker-schema2-without-layers.json", Docker, "layers")]
    [InlineData("index-without-media-type.json", Oci, "config")]
    [InlineData("oci-image-manifest.json", "application/octet-stream", "unsupported")]
    [InlineData("oci-image-manifest.json", "text/plain", "unsupported")]
    public void Refused_golden_manifest_is_manifest_invalid(string file, string? contentType, string messageFragment)
    {
        var result = ManifestParser.Parse(Read(file), contentType);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorCode.ManifestInvalid, result.Error!.Code);
        Assert.Contains(messageFragment, result.Error.EffectiveMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Descriptor_details_are_kept()
    {
        var parsed = ManifestParser.Parse(Read("artifact-with-artifact-type.json"), Oci).Value;

        var layer = parsed.Blobs[1];
        Assert.Equal("application/spdx+json", layer.MediaType);
        Assert.Equal(8192, layer.Size);
        Assert.Contains("sbom.spdx.json", layer.AnnotationsJson, StringComparison.Ordinal);
        Assert.Equal(120, parsed.Blobs[0].Size);
    }

    [Fact]
    public void Manifest_annotations_are_kept_as_raw_json()
    {
        var parsed = ManifestParser.Parse(Read("subject-and-annotations.json"), Oci).Value;

        Assert.NotNull(parsed.AnnotationsJson);
        using var doc = System.Text.Json.JsonDocument.Parse(parsed.AnnotationsJson);
        Assert.Equal("value", doc.RootElement.GetProperty("com.example.key").GetString());
        Assert.Equal(Oci, parsed.Subject!.MediaType);
        Assert.Equal(7143, parsed.Subject.Size);
    }

    [Fact]
    public void Index_annotations_are_kept()
    {
        var parsed = ManifestParser.Parse(Read("oci-index.json"), OciIndex).Value;
        Assert.Contains("org.opencontainers.image.ref.name", parsed.AnnotationsJson, StringComparison.Ordinal);
    }

    private static string[] Split(string digests) => digests.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
