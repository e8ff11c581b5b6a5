namespace Wharf.Import;

/// <summary>
/// Something the import left out, and why. A <paramref name="Problem"/> is content that could not come over (a corrupt
/// blob, a manifest Wharf refuses); otherwise it is a leftover that Distribution itself no longer serves (a deleted tag
/// or manifest, a link whose blob is gone) or a tag Wharf already holds differently (kept).
/// </summary>
public sealed record ImportSkip(string What, string Reason, bool Problem);

/// <summary>What one run of the import did. Counts of "present" things are those an earlier run (or a push) had stored already.</summary>
public sealed class ImportReport
{
    public int Repositories { get; set; }

    /// <summary>Blobs whose bytes this run placed by a hard link to Distribution's file.</summary>
    public int BlobsLinked { get; set; }

    /// <summary>Blobs whose bytes this run copied (another file system, or S3).</summary>
    public int BlobsCopied { get; set; }

    /// <summary>Blobs whose bytes the store held already.</summary>
    public int BlobsPresent { get; set; }

    /// <summary>Bytes of the blobs this run placed (linked or copied); each was hashed once against its digest.</summary>
    public long BytesPlaced { get; set; }

    /// <summary>Repository links to blobs recorded by this run.</summary>
    public int LinksAdded { get; set; }

    public int ManifestsStored { get; set; }

    public int ManifestsPresent { get; set; }

    public int TagsSet { get; set; }

    public int TagsPresent { get; set; }

    public List<ImportSkip> Skipped { get; } = [];

    public int Problems => Skipped.Count(s => s.Problem);

    /// <summary>True when this run stored nothing: everything was there already (or skipped).</summary>
    public bool NothingNew => BlobsLinked + BlobsCopied + LinksAdded + ManifestsStored + TagsSet == 0;

    public void Skip(string what, string reason, bool problem) => Skipped.Add(new ImportSkip(what, reason, problem));
}
