using CsCheck;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.FuzzTests.Harness;

namespace Wharf.FuzzTests;

/// <summary>
/// The manifest parser and validator: any body, under any Content-Type, is a parsed manifest whose descriptors are valid
/// or MANIFEST_INVALID; nothing throws, hangs or allocates out of proportion to the body.
/// </summary>
public sealed class ManifestParserFuzzTests(ITestOutputHelper output)
{
    private static readonly Bounded.Allowance Allowance = new(256 * 1024, 32);

    private static readonly Gen<string?> ContentTypes = Gen.OneOf<string?>(
        null, "application/json", MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList,
        MediaTypes.DockerSchema1, MediaTypes.DockerSchema1Signed, MediaTypes.OciManifest + "; charset=utf-8", " " + MediaTypes.OciIndex + " ",
        "APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON", "", "text/plain", ";", "application/vnd.oci.image.manifest.v1+json;;;");

    [Fact]
    public void Any_body_is_a_valid_manifest_or_manifest_invalid()
    {
        var run = new FuzzRun(output, "manifest");
        var inputs = Gen.Select(Mutations.SeededOrRandom(run.Seeds, JsonTokens.Manifest, 64 * 1024), ContentTypes);
        run.Check(inputs, file => (file.Bytes, (string?)null), input => Check(input.Item1, input.Item2), FuzzSettings.Iterations,
            input => $"{input.Item2 ?? "(no Content-Type)"}: {Bounded.Show(input.Item1)}");
    }

    private static void Check(byte[] body, string? contentType)
    {
        var shown = $"{contentType ?? "(no Content-Type)"}: {Bounded.Show(body)}";
        var result = Bounded.Run("manifest", shown, body.Length, Allowance, () => ManifestParser.Parse(body, contentType));
        if (result.Error is { } error)
        {
            if (error.Code != ErrorCode.ManifestInvalid)
            {
                throw new FuzzFailure($"manifest: {shown} failed with {error.Code}, not MANIFEST_INVALID");
            }

            return;
        }

        var manifest = result.Value;
        var problem = !MediaTypes.IsKnownManifest(manifest.MediaType) ? $"unknown media type {manifest.MediaType}"
            : MediaTypes.IsIndex(manifest.MediaType) && manifest.Blobs.Count > 0 ? "an index with blobs"
            : MediaTypes.IsImageManifest(manifest.MediaType) && (manifest.Manifests.Count > 0 || manifest.Blobs.Count == 0) ? "an image manifest without its config, or with children"
            : manifest.Blobs.Concat(manifest.Manifests).Concat(manifest.Subject is { } s ? [s] : []).Select(Invalid).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            throw new FuzzFailure($"manifest: {shown} was accepted as {manifest.MediaType} but: {problem}");
        }
    }

    private static string? Invalid(Descriptor descriptor) =>
        descriptor.Size < 0 ? $"descriptor size {descriptor.Size}"
        : string.IsNullOrEmpty(descriptor.MediaType) ? "descriptor without a media type"
        : !Digest.TryParse(descriptor.Digest.Value, out var again) || again != descriptor.Digest ? $"descriptor digest {descriptor.Digest}"
        : null;
}
