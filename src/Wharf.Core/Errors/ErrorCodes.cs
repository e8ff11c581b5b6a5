namespace Wharf.Core.Errors;

/// <summary>The wire code, HTTP status and default message of an <see cref="ErrorCode"/>.</summary>
public readonly record struct ErrorCodeInfo(string Code, int Status, string Message);

/// <summary>The single table mapping each <see cref="ErrorCode"/> to what goes on the wire.</summary>
public static class ErrorCodes
{
    private static readonly ErrorCodeInfo[] Table = Build();

    public static ErrorCodeInfo Describe(this ErrorCode code) => Table[(int)code];

    private static ErrorCodeInfo[] Build()
    {
        var table = new ErrorCodeInfo[Enum.GetValues<ErrorCode>().Length];
        void Set(ErrorCode c, string wire, int status, string message) => table[(int)c] = new(wire, status, message);

        Set(ErrorCode.BlobUnknown, "BLOB_UNKNOWN", 404, "blob unknown to registry");
        Set(ErrorCode.BlobUploadInvalid, "BLOB_UPLOAD_INVALID", 400, "blob upload invalid");
        Set(ErrorCode.BlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry");
        Set(ErrorCode.DigestInvalid, "DIGEST_INVALID", 400, "provided digest did not match uploaded content");
        Set(ErrorCode.ManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", 400, "manifest references a manifest or blob unknown to registry");
        Set(ErrorCode.ManifestInvalid, "MANIFEST_INVALID", 400, "manifest invalid");
        Set(ErrorCode.ManifestUnknown, "MANIFEST_UNKNOWN", 404, "manifest unknown to registry");
        Set(ErrorCode.ManifestChildUnknown, "MANIFEST_UNKNOWN", 400, "index references a manifest unknown to the repository");
        Set(ErrorCode.ManifestTooLarge, "SIZE_INVALID", 413, "manifest exceeds the size limit");
        Set(ErrorCode.NameInvalid, "NAME_INVALID", 400, "invalid repository name");
        Set(ErrorCode.NameUnknown, "NAME_UNKNOWN", 404, "repository name not known to registry");
        Set(ErrorCode.SizeInvalid, "SIZE_INVALID", 400, "provided length did not match content length");
        Set(ErrorCode.TagInvalid, "TAG_INVALID", 400, "invalid tag");
        Set(ErrorCode.RangeInvalid, "BLOB_UPLOAD_INVALID", 416, "the chunk does not continue the upload");
        Set(ErrorCode.RangeNotSatisfiable, "SIZE_INVALID", 416, "the requested range is not satisfiable");
        Set(ErrorCode.Unauthorized, "UNAUTHORIZED", 401, "authentication required");
        Set(ErrorCode.Denied, "DENIED", 403, "requested access to the resource is denied");
        Set(ErrorCode.Unsupported, "UNSUPPORTED", 415, "the operation is unsupported");
        Set(ErrorCode.MethodNotAllowed, "UNSUPPORTED", 405, "the method is not allowed on this endpoint");
        Set(ErrorCode.UnknownEndpoint, "UNSUPPORTED", 404, "no registry endpoint at this path");
        Set(ErrorCode.TooManyRequests, "TOOMANYREQUESTS", 429, "too many requests");
        Set(ErrorCode.ApiRequestInvalid, "UNSUPPORTED", 400, "the request's parameters or body are invalid");
        // The tag-and-digest pair named is unknown: the spec's code for that, with 409 Conflict so it reads apart from a gone tag.
        Set(ErrorCode.TagMoved, "MANIFEST_UNKNOWN", 409, "the tag points to another manifest now");
        Set(ErrorCode.Unavailable, "UNAVAILABLE", 503, "service unavailable");
        // No spec code says "full": UNAVAILABLE (the registry cannot take the write now) with 507 Insufficient Storage.
        Set(ErrorCode.StorageFull, "UNAVAILABLE", 507, "the registry's storage is full");
        // The upstream of a cached repository failed: UNAVAILABLE with 502 Bad Gateway, since Wharf itself is up (docs/design/mirroring.md).
        Set(ErrorCode.UpstreamUnavailable, "UNAVAILABLE", 502, "the upstream registry is unavailable");
        Set(ErrorCode.Unknown, "UNKNOWN", 500, "unknown error");
        return table;
    }
}
