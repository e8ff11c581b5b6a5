namespace Wharf.Core.Protocol;

/// <summary>The manifest media types Wharf understands.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>
    /// Layers that are fetched from their <c>urls</c>, never pushed to a registry (OCI non-distributable,
    /// Docker foreign layers), so a manifest may name them without the registry holding them.
    /// </summary>
    public static bool IsNonDistributable(string mediaType) =>
        mediaType.StartsWith("application/vnd.oci.image.layer.nondistributable.", StringComparison.Ordinal)
        || mediaType.StartsWith("application/vnd.docker.image.rootfs.foreign.", StringComparison.Ordinal);

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsImageManifest(string mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsSchema1(string mediaType) => mediaType is DockerSchema1 or DockerSchema1Signed;

    public static bool IsKnownManifest(string mediaType) => IsIndex(mediaType) || IsImageManifest(mediaType);

    /// <summary>Media types compare case-insensitively (RFC 9110); known ones are returned in their canonical spelling.</summary>
    public static string Canonical(string mediaType)
    {
        foreach (var known in Known)
        {
            if (string.Equals(known, mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return mediaType;
    }

    private static readonly string[] Known = [OciManifest, OciIndex, DockerManifest, DockerManifestList, DockerSchema1, DockerSchema1Signed, "application/json"];
}
