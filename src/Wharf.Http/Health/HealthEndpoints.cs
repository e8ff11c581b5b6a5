using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Wharf.Http.Health;

/// <summary>
/// <c>/healthz</c> (liveness: the process answers; touches no store) and <c>/readyz</c> (readiness: storage and metadata
/// answer within <see cref="HealthOptions.Timeout"/>, and the server is not draining). GET or HEAD, no authentication;
/// 200 <c>Healthy</c> or 503 <c>Unhealthy</c> as plain text, nothing else.
/// </summary>
public static class HealthEndpoints
{
    public const string Liveness = "/healthz";
    public const string Readiness = "/readyz";
    private const string ReadyTag = "ready";

    public static bool IsProbe(PathString path) => path.Equals(Liveness, StringComparison.OrdinalIgnoreCase) || path.Equals(Readiness, StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddWharfHealth(this IServiceCollection services)
    {
        services.TryAddSingleton(new HealthOptions());
        services.TryAddSingleton(new ShutdownOptions());
        services.TryAddSingleton<DrainState>();
        services.AddHostedService<DrainService>();
        services.AddHealthChecks()
            .AddCheck<DrainHealthCheck>("draining", tags: [ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<MetadataHealthCheck>("metadata", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapWharfHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(Liveness, new HealthCheckOptions { Predicate = _ => false })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        endpoints.MapHealthChecks(Readiness, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        return endpoints;
    }
}
