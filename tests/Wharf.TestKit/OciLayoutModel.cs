namespace Wharf.TestKit;

/// <summary>A blob as referenced from a manifest: media type, digest and size.</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size);

/// <summary>One gzip-compressed tar layer and the files inside it.</summary>
public sealed record OciLayer(byte[] Compressed, string Digest, string DiffId, IReadOnlyDictionary<string, byte[]> Files)
{
    public OciDescriptor Descriptor => new(OciLayoutMediaTypes.OciLayerGzip, Digest, Compressed.Length);
}

/// <summary>A single-platform OCI image: manifest, config and layers, all as exact bytes.</summary>
public sealed record OciImage(
    string Architecture,
    string Os,
    byte[] ManifestBytes,
    byte[] ConfigBytes,
    IReadOnlyList<OciLayer> Layers)
{
    public string ManifestDigest { get; } = OciLayoutDigests.Sha256(ManifestBytes);

    public string ConfigDigest { get; } = OciLayoutDigests.Sha256(ConfigBytes);

    public OciDescriptor ManifestDescriptor => new(OciLayoutMediaTypes.OciManifest, ManifestDigest, ManifestBytes.Length);

    public OciDescriptor ConfigDescriptor => new(OciLayoutMediaTypes.OciConfig, ConfigDigest, ConfigBytes.Length);

    public IReadOnlyList<string> LayerDigests => [.. Layers.Select(l => l.Digest)];

    public IReadOnlyList<string> DiffIds => [.. Layers.Select(l => l.DiffId)];

    /// <summary>Every blob digest this image references (config and layers, not the manifest).</summary>
    public IReadOnlyList<string> BlobDigests => [ConfigDigest, .. LayerDigests];
}

/// <summary>
/// An OCI image layout directory on disk whose <c>index.json</c> tags one root (a manifest or an
/// index) as <see cref="Tag"/>.
/// </summary>
public sealed record OciLayout(string Path, string Tag, string RootMediaType, byte[] RootBytes, IReadOnlyList<OciImage> Images)
{
    public string RootDigest { get; } = OciLayoutDigests.Sha256(RootBytes);

    public bool IsIndex => OciLayoutMediaTypes.IsIndex(RootMediaType);

    /// <summary>The skopeo reference <c>oci:PATH:TAG</c>.</summary>
    public string SkopeoReference => $"oci:{Path}:{Tag}";

    /// <summary>Every digest reachable from the root, the root included.</summary>
    public IReadOnlySet<string> AllDigests =>
        new HashSet<string>(
            Images.SelectMany(i => (IEnumerable<string>)[i.ManifestDigest, .. i.BlobDigests]).Append(RootDigest),
            StringComparer.Ordinal);

    /// <summary>The single image of a non-index layout.</summary>
    public OciImage Image => Images.Count == 1 && !IsIndex
        ? Images[0]
        : throw new InvalidOperationException("this layout holds an index, not a single image");

    public OciImage ImageFor(string architecture) =>
        Images.Single(i => i.Architecture == architecture);
}
