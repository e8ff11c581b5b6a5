using Wharf.Core.Protocol;

namespace Wharf.Core.Metadata;

/// <summary>A blob whose bytes are durable in storage.</summary>
public sealed record BlobInfo(Digest Digest, long Size);

/// <summary>A manifest as stored: its exact bytes and what was extracted from them at push time.</summary>
public sealed record StoredManifest(Digest Digest, string MediaType, byte[] Payload, string? ArtifactType, Digest? Subject, string? AnnotationsJson);

/// <summary>A manifest about to be stored, with the references that must already exist.</summary>
public sealed record ManifestRecord(
    Digest Digest,
    string MediaType,
    byte[] Payload,
    string? ArtifactType,
    Digest? Subject,
    string? AnnotationsJson,
    IReadOnlyList<Digest> Blobs,
    IReadOnlyList<Digest> Manifests);

/// <summary>A referrer of a subject, as listed by the referrers API.</summary>
public sealed record Referrer(Digest Digest, string MediaType, long Size, string? ArtifactType, string? AnnotationsJson);

/// <summary>An upload in progress. <paramref name="Size"/> is the number of bytes durably received.</summary>
public sealed record UploadSession(string Id, string Repository, long Size, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

/// <summary>One page of a lexically ordered listing.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);

/// <summary>Outcome of storing a manifest.</summary>
public enum ManifestPutStatus
{
    Stored,
    BlobUnknown,
    ManifestUnknown,

    /// <summary>The tag may not move and points to another manifest (<see cref="IProtectedTagWriter.PutKeepingTagAsync"/>); nothing was written.</summary>
    TagTaken,
}

/// <summary>The outcome of <see cref="IManifestWriter.PutAsync"/>; <paramref name="Missing"/> names the absent reference.</summary>
public sealed record ManifestPutResult(ManifestPutStatus Status, Digest? Missing = null);

/// <summary>The outcome of <see cref="IManifestWriter.DeleteTagIfAsync"/>.</summary>
public enum ConditionalTagDelete
{
    /// <summary>The tag pointed to the expected manifest and is gone.</summary>
    Deleted,

    /// <summary>There is no such tag (or repository); nothing changed.</summary>
    TagUnknown,

    /// <summary>The tag points to another manifest; nothing changed.</summary>
    TagMoved,
}
