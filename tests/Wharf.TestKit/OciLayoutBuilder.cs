using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Wharf.TestKit;

/// <summary>
/// Builds test images offline: OCI images with real gzip tar layers whose files are derived from a
/// label (same label, same bytes), written as OCI image layout directories that skopeo, ctr and
/// other clients read.
/// </summary>
public static class OciLayoutBuilder
{
    /// <summary>
    /// A two-layer image for <paramref name="architecture"/>: a base layer with a release file and a
    /// pseudo-random data file of <paramref name="dataBytes"/> bytes (incompressible), and an app layer
    /// with a script and a text file. Different labels give different blobs.
    /// </summary>
    public static OciImage CreateImage(string label, string architecture = "amd64", string os = "linux", int dataBytes = 96 * 1024)
    {
        var tag = $"{label}/{os}/{architecture}";
        OciLayer[] layers =
        [
            CreateLayer(new Dictionary<string, byte[]>
            {
                ["etc/wharf-release"] = Encoding.UTF8.GetBytes($"WHARF_TEST_IMAGE={tag}\n"),
                ["usr/share/wharf/data.bin"] = PseudoRandomBytes(tag, dataBytes),
            }),
            CreateLayer(new Dictionary<string, byte[]>
            {
                ["app/hello"] = Encoding.UTF8.GetBytes($"#!/bin/sh\necho 'hello from {tag}'\n"),
                ["app/README.txt"] = Encoding.UTF8.GetBytes($"Image {tag} built by the Wharf test kit.\n"),
            }),
        ];
        var config = OciLayoutJson.Config(architecture, os, [.. layers.Select(l => l.DiffId)], tag);
        var configDescriptor = new OciDescriptor(OciLayoutMediaTypes.OciConfig, OciLayoutDigests.Sha256(config), config.Length);
        var manifest = OciLayoutJson.Manifest(configDescriptor, [.. layers.Select(l => l.Descriptor)]);
        return new OciImage(architecture, os, manifest, config, layers);
    }

    public static OciLayer CreateLayer(IReadOnlyDictionary<string, byte[]> files)
    {
        var tar = OciLayoutLayerTar.CreateTar(files);
        var compressed = OciLayoutLayerTar.Gzip(tar);
        return new OciLayer(compressed, OciLayoutDigests.Sha256(compressed), OciLayoutDigests.Sha256(tar), files);
    }

    /// <summary>Writes a layout at <paramref name="directory"/> whose <paramref name="tag"/> is <paramref name="image"/>.</summary>
    public static OciLayout WriteImage(string directory, OciImage image, string tag = "v1")
    {
        WriteBlobs(directory, image);
        return Finish(directory, tag, OciLayoutMediaTypes.OciManifest, image.ManifestBytes, [image]);
    }

    /// <summary>Writes a layout whose <paramref name="tag"/> is an OCI index of <paramref name="images"/>.</summary>
    public static OciLayout WriteIndex(string directory, IReadOnlyList<OciImage> images, string tag = "v1")
    {
        foreach (var image in images)
        {
            WriteBlobs(directory, image);
        }

        return Finish(directory, tag, OciLayoutMediaTypes.OciIndex, OciLayoutJson.Index(images), images);
    }

    /// <summary>A single-image layout for <paramref name="label"/> under <paramref name="directory"/>.</summary>
    public static OciLayout SingleArch(string directory, string label, string architecture = "amd64", int dataBytes = 96 * 1024) =>
        WriteImage(directory, CreateImage(label, architecture, dataBytes: dataBytes));

    /// <summary>A linux/amd64 + linux/arm64 index layout for <paramref name="label"/>.</summary>
    public static OciLayout MultiArch(string directory, string label) =>
        WriteIndex(directory, [CreateImage(label, "amd64"), CreateImage(label, "arm64")]);

    /// <summary>Packs a layout directory into a tar (as <c>ctr images import</c> reads it).</summary>
    public static void WriteTarball(OciLayout layout, string tarPath) =>
        TarFile.CreateFromDirectory(layout.Path, tarPath, includeBaseDirectory: false);

    private static OciLayout Finish(string directory, string tag, string mediaType, byte[] root, IReadOnlyList<OciImage> images)
    {
        WriteBlob(directory, root);
        var descriptor = new OciDescriptor(mediaType, OciLayoutDigests.Sha256(root), root.Length);
        File.WriteAllBytes(Path.Combine(directory, "oci-layout"), OciLayoutJson.LayoutMarker());
        File.WriteAllBytes(Path.Combine(directory, "index.json"), OciLayoutJson.LayoutIndex(descriptor, tag));
        return new OciLayout(Path.GetFullPath(directory), tag, mediaType, root, images);
    }

    private static void WriteBlobs(string directory, OciImage image)
    {
        WriteBlob(directory, image.ManifestBytes);
        WriteBlob(directory, image.ConfigBytes);
        foreach (var layer in image.Layers)
        {
            WriteBlob(directory, layer.Compressed);
        }
    }

    private static void WriteBlob(string directory, byte[] content)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256")).FullName;
        File.WriteAllBytes(Path.Combine(blobs, OciLayoutDigests.Hex(OciLayoutDigests.Sha256(content))), content);
    }

    /// <summary>Deterministic bytes that do not compress away: a SHA-256 counter stream seeded by <paramref name="seed"/>.</summary>
    private static byte[] PseudoRandomBytes(string seed, int length)
    {
        var output = new byte[length];
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        Span<byte> block = stackalloc byte[32];
        for (var offset = 0; offset < length; offset += 32)
        {
            var input = seedBytes.Concat(BitConverter.GetBytes(offset)).ToArray();
            SHA256.HashData(input, block);
            block[..Math.Min(32, length - offset)].CopyTo(output.AsSpan(offset));
        }

        return output;
    }
}
