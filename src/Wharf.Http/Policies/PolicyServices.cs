using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Core.Policies;

namespace Wharf.Http.Policies;

/// <summary>Immutable tags, retention and namespace quotas: the policies built from their options, the services and the routes.</summary>
public static class PolicyServices
{
    /// <summary>Registers the policies; options keep their defaults (no rules, no quotas) unless the host binds them.</summary>
    public static IServiceCollection AddWharfPolicies(this IServiceCollection services)
    {
        services.TryAddSingleton(new PoliciesOptions());
        services.TryAddSingleton(new RetentionOptions());
        services.TryAddSingleton(new QuotasOptions());
        services.AddSingleton(sp => sp.GetRequiredService<PoliciesOptions>().Compile());
        services.AddSingleton(sp => sp.GetRequiredService<QuotasOptions>().Compile());
        services.AddSingleton<NamespaceQuotas>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RetentionService>(sp, sp.GetRequiredService<RetentionOptions>().Compile()));
        services.AddSingleton<PolicyApiHandlers>();
        return services;
    }

    /// <summary>Maps <c>POST /api/retention/run</c> and <c>GET /api/namespaces/{namespace}</c>.</summary>
    public static IEndpointRouteBuilder MapWharfPolicyApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.ServiceProvider.GetRequiredService<PolicyApiHandlers>();
        endpoints.MapPost("/api/retention/run", async context => await (await api.RunRetentionAsync(context)).ExecuteAsync(context));
        endpoints.MapGet("/api/namespaces/{name}", async context =>
            await (await api.NamespaceAsync(context, context.Request.RouteValues["name"] as string ?? "")).ExecuteAsync(context));
        return endpoints;
    }
}
