using System.ComponentModel.DataAnnotations;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// Limits of the layer file browser (config section <c>LayerBrowser</c>). A listing that reaches one stops there and
/// says <c>truncated</c>; it is cached like any other. Changing a limit starts a fresh cache (the limits are part of
/// the cache key), so listings cut short by an old limit are built again.
/// </summary>
public sealed class LayerBrowserOptions
{
    /// <summary>Most entries listed per layer.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>Most uncompressed tar bytes read per layer (decompression bombs stop here).</summary>
    [Range(1L << 20, 1L << 40)]
    public long MaxUncompressedBytes { get; set; } = 32L << 30;

    /// <summary>
    /// Most uncompressed bytes per compressed byte, above a floor of 1 GiB: real layers expand 2–10×, a bomb 1000×.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxExpansionRatio { get; set; } = 250;

    /// <summary>Most bytes of encoded entries held in memory while a listing is built (paths dominate).</summary>
    [Range(1 << 20, 1 << 30)]
    public int MaxListingBytes { get; set; } = 128 << 20;

    /// <summary>How many listings this process builds at once; further layers wait their turn.</summary>
    [Range(1, 64)]
    public int ConcurrentBuilds { get; set; } = 2;

    /// <summary>Everything that shapes a listing's bytes, for the cache key.</summary>
    internal string Fingerprint => FormattableString.Invariant($"{MaxEntries}-{MaxUncompressedBytes}-{MaxExpansionRatio}-{MaxListingBytes}");

    /// <summary>The uncompressed-byte budget for a layer of <paramref name="compressedSize"/> bytes.</summary>
    internal long UncompressedBudget(long compressedSize) =>
        Math.Min(MaxUncompressedBytes, Math.Max(1L << 30, compressedSize * MaxExpansionRatio));
}
