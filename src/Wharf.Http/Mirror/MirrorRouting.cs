using Microsoft.AspNetCore.Http;
using Wharf.Core.Metadata;
using Wharf.Core.Mirror;
using Wharf.Http.Routing;

namespace Wharf.Http.Mirror;

/// <summary>
/// Mirror mode: a pull that names no configured prefix is served from the cache of the upstream containerd's <c>ns=</c>
/// selects, or else of <see cref="MirrorOptions.Default"/> when Wharf has no repository of that name itself. Runs
/// before authorization, so access is decided on the name actually served.
/// </summary>
public sealed class MirrorRouting(MirrorNames names, IManifestReader manifests)
{
    public bool Enabled => names.Enabled;

    public async ValueTask<OciRoute> RewriteAsync(HttpContext context, OciRoute route)
    {
        if (route.Kind is not (OciRouteKind.Manifest or OciRouteKind.Blob)
            || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            return route;
        }

        var ns = context.Request.Query["ns"] is { Count: > 0 } values ? values[0] : null;
        if (names.Rewrite(route.Name, ns) is not { } cached)
        {
            return route;
        }

        // Without ns= the client may mean one of Wharf's own repositories: those are never shadowed.
        if (ns is null && await manifests.ListTagsAsync(route.Name, null, 1, context.RequestAborted) is not null)
        {
            return route;
        }

        return route with { Name = cached };
    }
}
