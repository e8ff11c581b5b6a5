namespace Wharf.Core.Errors;

/// <summary>
/// Every error Wharf can answer with. The wire code and HTTP status of each member live in
/// <see cref="ErrorCodes"/>, and nowhere else.
/// </summary>
public enum ErrorCode
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    ManifestChildUnknown,
    ManifestTooLarge,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    RangeInvalid,
    RangeNotSatisfiable,
    Unauthorized,
    Denied,
    Unsupported,
    MethodNotAllowed,
    UnknownEndpoint,
    TooManyRequests,

    /// <summary>A JSON API (<c>/api/</c>) request whose parameters or body are invalid.</summary>
    ApiRequestInvalid,

    /// <summary>A conditional tag delete whose tag points to another manifest than the one named (it was pushed again).</summary>
    TagMoved,
    Unavailable,

    /// <summary>The registry's own storage (its disk, or its database's) has no room left for a write.</summary>
    StorageFull,

    /// <summary>A cached repository's upstream is unreachable, timed out or failed, and the content is not cached.</summary>
    UpstreamUnavailable,
    Unknown,
}
