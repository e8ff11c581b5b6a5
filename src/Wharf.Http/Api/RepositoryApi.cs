using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Core.Services;

namespace Wharf.Http.Api;

/// <summary>Repository listing, search, metadata and usage counting: the services and the routes.</summary>
public static class RepositoryApi
{
    /// <summary>Registers the repository service, the usage recorder and its flush; options keep their defaults unless the host binds them.</summary>
    public static IServiceCollection AddWharfRepositoryApi(this IServiceCollection services)
    {
        services.TryAddSingleton(new SearchOptions());
        services.TryAddSingleton(new UsageOptions());
        services.AddSingleton<RepositoryService>();
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService<UsageFlushService>();
        services.AddSingleton<RepositoryApiHandlers>();
        services.AddSingleton<DockerSearchEndpoint>();
        return services;
    }

    /// <summary>Maps <c>/api/repositories</c>, <c>/api/repository/{name}</c> and <c>/v1/search</c>.</summary>
    public static IEndpointRouteBuilder MapWharfApiRepositories(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.ServiceProvider.GetRequiredService<RepositoryApiHandlers>();
        var search = endpoints.ServiceProvider.GetRequiredService<DockerSearchEndpoint>();
        endpoints.MapGet("/api/repositories", async context => await (await api.ListAsync(context)).ExecuteAsync(context));
        endpoints.MapGet("/api/repository/{**name}", async context => await (await api.GetAsync(context, Name(context))).ExecuteAsync(context));
        endpoints.MapPut("/api/repository/{**name}", async context => await (await api.PutAsync(context, Name(context))).ExecuteAsync(context));
        endpoints.MapGet("/v1/search", async context => await (await search.HandleAsync(context)).ExecuteAsync(context));
        return endpoints;
    }

    private static string Name(HttpContext context) => context.Request.RouteValues["name"] as string ?? "";
}
