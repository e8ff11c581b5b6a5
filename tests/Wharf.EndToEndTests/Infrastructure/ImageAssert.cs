using Wharf.TestKit;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>Byte-for-byte comparisons of images built by the test kit with what clients and the registry hold.</summary>
internal static class ImageAssert
{
    /// <summary>The registry serves exactly the layout's root manifest bytes and every blob under it.</summary>
    public static void ServedEqualsLayout(OciLayout expected, ServedImage served)
    {
        Assert.Equal(expected.RootDigest, served.Root.Digest);
        Assert.Equal(expected.RootBytes, served.Root.Bytes);
        Assert.Equal(expected.RootMediaType, served.Root.ContentType);
        Assert.Equal(Sorted(expected.AllDigests), Sorted(served.AllDigests));
    }

    /// <summary>A layout written by a client holds the same root digest and the same blobs as the one built.</summary>
    public static void LayoutEqualsLayout(OciLayout expected, OciLayoutContent actual)
    {
        Assert.Equal(expected.RootDigest, actual.Root.Digest);
        Assert.Equal(expected.RootBytes, actual.RootBytes);
        Assert.Equal(Sorted(expected.AllDigests), Sorted(actual.AllDigests));
    }

    /// <summary>
    /// The served single-image manifest (of any format) has the same uncompressed layers as
    /// <paramref name="expected"/>: its config lists the same diff_ids and every layer decompresses to them.
    /// </summary>
    public static void SameFilesystem(OciImage expected, ServedImage served)
    {
        var references = OciLayoutReader.References(served.Root.Bytes);
        var config = references[0];
        var layers = references.Skip(1).ToList();
        using var configJson = System.Text.Json.JsonDocument.Parse(served.Blobs[config.Digest]);
        var diffIds = configJson.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()
            .Select(d => d.GetString() ?? string.Empty).ToList();
        Assert.Equal(expected.DiffIds, diffIds);
        Assert.Equal(expected.DiffIds, layers.Select(l => OciLayoutDigests.Sha256(OciLayoutLayerTar.Gunzip(served.Blobs[l.Digest]))).ToList());
    }

    /// <summary>The served manifest's layer blobs are exactly the layout image's compressed layers.</summary>
    public static void SameLayerBlobs(OciImage expected, ServedImage served) =>
        Assert.Equal(expected.LayerDigests, OciLayoutReader.References(served.Root.Bytes).Skip(1).Select(l => l.Digest).ToList());

    private static List<string> Sorted(IEnumerable<string> digests) => [.. digests.Order(StringComparer.Ordinal)];
}
