using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Auth;
using Wharf.Core.Errors;
using Wharf.Http.Api;
using Wharf.Http.Audit;
using Wharf.Http.Auth;
using Wharf.Core.Services;
using Wharf.Http.Handlers;
using Wharf.Http.Health;
using Wharf.Http.Middleware;
using Wharf.Http.Policies;
using Wharf.Http.Replication;
using Wharf.Http.Results;
using Wharf.Http.Ui;
using Wharf.Http.Webhooks;

namespace Wharf.Http;

public static class RegistryEndpoints
{
    /// <summary>Registers the registry's core services and HTTP handlers.</summary>
    public static IServiceCollection AddWharfRegistry(this IServiceCollection services)
    {
        services.AddSingleton<RunningHashes>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<BlobService>();
        services.AddSingleton<ManifestService>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<BlobHandler>();
        services.AddSingleton<UploadHandler>();
        services.AddSingleton<ManifestHandler>();
        services.AddSingleton<Wharf.Core.Audit.AuditLog>();
        services.AddSingleton<Wharf.Http.Audit.RequestAudit>();
        services.AddSingleton<ListingHandler>();
        services.AddSingleton<ReferrersHandler>();
        services.TryAddSingleton(new AuthOptions()); // Auth off unless AddWharfAuth says otherwise.
        services.TryAddSingleton(new PublicAddressOptions()); // As each request reached us unless the host binds Http.
        services.TryAddSingleton<AccessGate>();
        services.AddSingleton<RegistryDispatcher>();
        services.AddWharfImageApi();
        services.AddWharfRepositoryApi();
        services.TryAddSingleton(new Wharf.Core.Services.Gc.GcOptions());
        services.AddSingleton<Wharf.Core.Services.Gc.OrphanScanner>();
        services.AddSingleton<Wharf.Core.Services.Gc.GarbageCollector>();
        services.AddSingleton<Wharf.Core.Services.Gc.GcStatusReader>();
        services.AddSingleton<Wharf.Core.Services.Gc.RepositoryRemover>();
        services.AddSingleton<Wharf.Core.Services.Gc.OfflineCollector>();
        services.AddWharfPolicies();
        services.AddWharfHealth();
        return services;
    }

    /// <summary>Request ids, request logging and fault mapping, in front of everything.</summary>
    public static IApplicationBuilder UseWharfRegistry(this IApplicationBuilder app)
    {
        app.UseMiddleware<RequestIdMiddleware>().UseMiddleware<PublicAddressMiddleware>().UseMiddleware<RequestLogMiddleware>().Use(AddNoSniffHeader).UseMiddleware<RegistryExceptionMiddleware>().Use(AddApiVersionHeader)
            .UseMiddleware<DrainMiddleware>().UseMiddleware<ApiCallerMiddleware>();
        if (app.ApplicationServices.GetService<Wharf.Http.Webhooks.WebhookRoutes>() is not null)
        {
            // Only with webhooks configured: each request becomes the origin of the events its changes write.
            app.UseMiddleware<Wharf.Http.Webhooks.EventOriginMiddleware>();
        }

        return app;
    }

    /// <summary>Maps the one /v2/ endpoint, the token service, the API and the web UI; anything else answers a JSON 404.</summary>
    public static IEndpointRouteBuilder MapWharfRegistry(this IEndpointRouteBuilder endpoints)
    {
        var dispatcher = endpoints.ServiceProvider.GetRequiredService<RegistryDispatcher>();
        RequestDelegate handle = async context => await (await dispatcher.DispatchAsync(context)).ExecuteAsync(context);
        endpoints.Map("/v2", handle);
        endpoints.Map("/v2/{**path}", handle);
        endpoints.MapWharfTokenService();
        endpoints.MapWharfSession();
        endpoints.MapWharfImageApi();
        endpoints.MapWharfApiRepositories();
        endpoints.MapWharfLifecycleApi();
        endpoints.MapWharfPolicyApi();
        endpoints.MapWharfAuditApi();
        endpoints.MapWharfEventsApi();
        endpoints.MapWharfReplicationApi();
        endpoints.MapWharfHealth(); // /healthz and /readyz: anonymous, plain text.
        endpoints.MapWharfUi(); // GET/HEAD of /, /sign-in, /r/… and /ui/<version>/…; nothing under /v2, /api, /v1, /auth.
        endpoints.MapFallback(context => new ErrorResult(ErrorCode.UnknownEndpoint).ExecuteAsync(context));
        return endpoints;
    }

    /// <summary>Every answer, errors and blobs included, is taken as the type it declares: browsers never sniff another.</summary>
    private static Task AddNoSniffHeader(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return next(context);
    }

    private static Task AddApiVersionHeader(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        return next(context);
    }
}
