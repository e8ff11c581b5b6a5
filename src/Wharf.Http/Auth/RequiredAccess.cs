using Microsoft.AspNetCore.Http;
using Wharf.Auth;
using Wharf.Http.Routing;

namespace Wharf.Http.Auth;

/// <summary>What a /v2/ request needs, decided from its route and method alone (never from what exists).</summary>
/// <remarks>
/// <see cref="MountFrom"/> names the source of a cross-repository mount (<c>POST …/uploads/?mount=&amp;from=</c>): in
/// token mode the token must also grant pull on it, as with Distribution, so clients know to ask for it.
/// </remarks>
public readonly record struct RequiredAccess(RequiredAccessKind Kind, string Repository, AccessActions Actions, string? MountFrom = null)
{
    public static RequiredAccess For(OciRoute route, HttpRequest request)
    {
        var required = For(route, request.Method);
        if (route.Kind == OciRouteKind.UploadStart && HttpMethods.IsPost(request.Method)
            && request.Query.ContainsKey("mount") && request.Query["from"].ToString() is { Length: > 0 } from
            && from != route.Name && Core.Protocol.RepositoryName.IsValid(from))
        {
            required = required with { MountFrom = from };
        }

        return required;
    }

    public static RequiredAccess For(OciRoute route, string method) => route.Kind switch
    {
        OciRouteKind.Base => new(RequiredAccessKind.SignedIn, "", AccessActions.None),
        OciRouteKind.Catalog => new(RequiredAccessKind.Catalog, "", AccessActions.None),
        OciRouteKind.UploadStart or OciRouteKind.Upload => new(RequiredAccessKind.Repository, route.Name, AccessActions.Push),
        _ when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => new(RequiredAccessKind.Repository, route.Name, AccessActions.Pull),
        _ when HttpMethods.IsDelete(method) => new(RequiredAccessKind.Repository, route.Name, AccessActions.Delete),
        _ => new(RequiredAccessKind.Repository, route.Name, AccessActions.Push),
    };

    /// <summary>The scope a client should ask the token service for (Docker's convention: a push also asks for pull).</summary>
    public string? ChallengeScope => Kind switch
    {
        RequiredAccessKind.Catalog => "registry:catalog:*",
        RequiredAccessKind.Repository => new Scope(Scope.RepositoryType, Repository, Actions == AccessActions.Push ? AccessActions.Pull | AccessActions.Push : Actions).ToString()
            + (MountFrom is { } from ? " " + new Scope(Scope.RepositoryType, from, AccessActions.Pull) : ""),
        _ => null,
    };
}

public enum RequiredAccessKind
{
    /// <summary><c>/v2/</c>: any valid identity (not anonymous).</summary>
    SignedIn,

    /// <summary><c>/v2/_catalog</c>: the catalog scope; the listing is filtered by pull.</summary>
    Catalog,

    /// <summary>An action on one repository.</summary>
    Repository,
}
