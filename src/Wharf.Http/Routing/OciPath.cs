using Wharf.Core.Errors;
using Wharf.Core.Protocol;

namespace Wharf.Http.Routing;

/// <summary>
/// Parses the raw, undecoded request path of a /v2/ request. Pure and table-tested. Because it works on
/// the raw path, percent-encoded slashes or dots never reach a name: they fail the name grammar.
/// </summary>
public static class OciPath
{
    private const string Prefix = "/v2/";

    public static OciPathResult Parse(string rawPath)
    {
        if (rawPath is "/v2" or Prefix)
        {
            return new(new OciRoute(OciRouteKind.Base), null);
        }

        if (!rawPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Fail(ErrorCode.UnknownEndpoint);
        }

        var rest = rawPath.AsSpan(Prefix.Length);
        if (rest is "_catalog")
        {
            return new(new OciRoute(OciRouteKind.Catalog), null);
        }

        if (rest.EndsWith("/tags/list"))
        {
            return Named(OciRouteKind.TagList, rest[..^"/tags/list".Length], "");
        }

        if (rest.EndsWith("/blobs/uploads"))
        {
            return Named(OciRouteKind.UploadStart, rest[..^"/blobs/uploads".Length], "");
        }

        var slash = rest.LastIndexOf('/');
        if (slash <= 0)
        {
            return Fail(ErrorCode.UnknownEndpoint);
        }

        var head = rest[..slash];
        var last = rest[(slash + 1)..];
        if (head.EndsWith("/blobs/uploads"))
        {
            return last.IsEmpty
                ? Named(OciRouteKind.UploadStart, head[..^"/blobs/uploads".Length], "")
                : Named(OciRouteKind.Upload, head[..^"/blobs/uploads".Length], last);
        }

        if (head.EndsWith("/manifests"))
        {
            return Named(OciRouteKind.Manifest, head[..^"/manifests".Length], last);
        }

        if (head.EndsWith("/blobs"))
        {
            return Named(OciRouteKind.Blob, head[..^"/blobs".Length], last);
        }

        if (head.EndsWith("/referrers"))
        {
            return Named(OciRouteKind.Referrers, head[..^"/referrers".Length], last);
        }

        return Fail(ErrorCode.UnknownEndpoint);
    }

    private static OciPathResult Named(OciRouteKind kind, ReadOnlySpan<char> name, ReadOnlySpan<char> reference)
    {
        if (!RepositoryName.IsValid(name))
        {
            return Fail(new RegistryError(ErrorCode.NameInvalid, $"invalid repository name '{Truncate(name)}'"));
        }

        var error = kind switch
        {
            OciRouteKind.Manifest => CheckManifestReference(reference),
            OciRouteKind.Blob or OciRouteKind.Referrers => CheckDigest(reference),
            OciRouteKind.Upload => UploadId.IsValid(reference) ? null : new RegistryError(ErrorCode.BlobUploadUnknown),
            _ => null,
        };
        return error is null ? new(new OciRoute(kind, name.ToString(), reference.ToString()), null) : Fail(error);
    }

    private static RegistryError? CheckManifestReference(ReadOnlySpan<char> reference)
    {
        if (reference.Contains(':'))
        {
            return CheckDigest(reference);
        }

        return TagName.IsValid(reference) ? null : new RegistryError(ErrorCode.TagInvalid, $"invalid tag '{Truncate(reference)}'");
    }

    private static RegistryError? CheckDigest(ReadOnlySpan<char> reference)
    {
        var text = reference.ToString();
        if (Digest.TryParse(text, out _))
        {
            return null;
        }

        return new RegistryError(ErrorCode.DigestInvalid, Digest.HasUnsupportedAlgorithm(text)
            ? $"unsupported digest algorithm in '{Truncate(reference)}'"
            : $"invalid digest '{Truncate(reference)}'");
    }

    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 300 ? s.ToString() : string.Concat(s[..300], "…");

    private static OciPathResult Fail(RegistryError error) => new(default, error);
}
