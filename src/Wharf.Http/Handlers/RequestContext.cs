using Microsoft.AspNetCore.Http;
using Wharf.Http.Routing;

namespace Wharf.Http.Handlers;

/// <summary>A request already matched to a registry route.</summary>
public readonly record struct RegistryRequest(HttpContext Http, OciRoute Route)
{
    public string Method => Http.Request.Method;

    public CancellationToken Aborted => Http.RequestAborted;

    public string? Query(string name)
    {
        var value = Http.Request.Query[name];
        return value.Count == 0 ? null : value[0];
    }

    public bool HasQuery(string name) => Http.Request.Query.ContainsKey(name);
}
