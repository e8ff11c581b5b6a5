using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Http.Routing;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// Every route a running server maps (from its <see cref="EndpointDataSource"/>), and every resource the <c>/v2/</c>
/// dispatcher routes to (<see cref="OciRouteKind"/>), so that the matrix can prove it has a row for each.
/// </summary>
public static class EndpointInventory
{
    /// <summary>Where the dispatcher's own routes live: the one endpoint that takes every /v2/ path.</summary>
    public const string Dispatcher = "/v2/{**path}";

    /// <summary>What is mapped and has no row: "METHOD pattern" for endpoints limited to methods, "* pattern" for the others.</summary>
    public static List<string> Uncovered(WharfTestServer server, IReadOnlyList<MatrixRow> rows)
    {
        var uncovered = new List<string>();
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            if (methods is null)
            {
                if (!rows.Any(r => r.Endpoint == pattern))
                {
                    uncovered.Add("* " + pattern);
                }

                continue;
            }

            uncovered.AddRange(methods.Where(m => !rows.Any(r => r.Endpoint == pattern && r.Method == m)).Select(m => $"{m} {pattern}"));
        }

        foreach (var kind in Enum.GetValues<OciRouteKind>())
        {
            if (!rows.Any(r => r.Surface == MatrixSurface.Registry && KindOf(r) == kind))
            {
                uncovered.Add($"/v2/ route {kind}");
            }
        }

        return uncovered;
    }

    /// <summary>Rows that claim a route the server does not map (a typo, or a route since removed).</summary>
    public static List<string> Unknown(WharfTestServer server, IReadOnlyList<MatrixRow> rows)
    {
        var patterns = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "").ToHashSet(StringComparer.Ordinal);
        return [.. rows.Where(r => !patterns.Contains(r.Endpoint)).Select(r => $"{r.Name}: {r.Endpoint}")];
    }

    private static OciRouteKind? KindOf(MatrixRow row)
    {
        var path = MatrixRunner.Fill(row.Path, 0, MatrixTarget.Existing, new string('0', 32));
        var parsed = OciPath.Parse(path.Split('?')[0]);
        return parsed.Error is null ? parsed.Route.Kind : null;
    }
}
