using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Wharf.Http.Middleware;
using Wharf.Http.Routing;

namespace Wharf.Http.Telemetry;

/// <summary>
/// What Wharf adds to a request's server span when tracing is on: the name <c>METHOD family</c> (e.g. <c>GET v2.manifest</c>,
/// never a repository or digest, to keep span names few), the <see cref="RouteFamily"/>, the request id
/// (<see cref="RequestIdMiddleware"/>) and, for a /v2/ request naming one, the repository.
/// </summary>
public static class RequestSpan
{
    public const string RouteFamilyTag = "wharf.route_family";
    public const string RequestIdTag = "wharf.request_id";
    public const string RepositoryTag = "wharf.repository";

    /// <summary>Describes <paramref name="span"/> once the request is answered; <paramref name="metricsPath"/> is the scrape path.</summary>
    public static void Describe(Activity span, HttpContext context, string metricsPath)
    {
        var path = context.Request.Path.Value ?? "";
        var family = RouteFamily.Of(path, metricsPath);
        span.DisplayName = context.Request.Method + " " + family;
        span.SetTag(RouteFamilyTag, family);
        span.SetTag(RequestIdTag, context.TraceIdentifier);
        if (family.StartsWith("v2.", StringComparison.Ordinal) && OciPath.Parse(path).Route.Name is { Length: > 0 } repository)
        {
            span.SetTag(RepositoryTag, repository);
        }
    }
}
