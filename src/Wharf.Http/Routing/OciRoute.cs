using Wharf.Core.Errors;

namespace Wharf.Http.Routing;

/// <summary>Which registry resource a /v2/ path names.</summary>
public enum OciRouteKind
{
    Base,
    Catalog,
    TagList,
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Referrers,
}

/// <summary>
/// A parsed /v2/ path. <see cref="Name"/> is a valid repository name (or empty for Base and Catalog);
/// <see cref="Reference"/> is a valid tag or digest (Manifest), a valid digest (Blob, Referrers), or a
/// valid upload id (Upload).
/// </summary>
public readonly record struct OciRoute(OciRouteKind Kind, string Name = "", string Reference = "");

/// <summary>The outcome of <see cref="OciPath.Parse"/>: a route or the error to answer with.</summary>
public readonly record struct OciPathResult(OciRoute Route, RegistryError? Error);
