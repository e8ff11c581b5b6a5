namespace Wharf.Core.Storage;

/// <summary>
/// A driver that keeps a whole blob of at most <see cref="MaxBytes"/> bytes, known before its body arrives, in a place
/// whose durability point is the metadata commit that links it (docs/design/storage.md, "Small blobs"). Writes follow
/// <see cref="IContentAddressedWrites"/>: nothing is visible before the commit, which places the bytes only if the
/// destination holds none yet.
/// </summary>
public interface ISmallBlobWrites : IContentAddressedWrites
{
    /// <summary>The largest blob written this way.</summary>
    long MaxBytes { get; }
}
