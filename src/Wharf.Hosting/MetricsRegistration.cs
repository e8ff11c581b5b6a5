using OpenTelemetry.Metrics;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Http.Telemetry;

namespace Wharf.Hosting;

/// <summary>
/// Wires <c>/metrics</c>: OpenTelemetry's meter provider (Wharf's meter, ASP.NET Core, the .NET runtime) with the
/// Prometheus exporter, and the decorators that time storage and metadata operations.
/// </summary>
public static class MetricsRegistration
{
    /// <summary>
    /// Registers the instruments and wraps the registered storage driver and hot-path metadata stores in timing
    /// decorators. Call after the backends are registered and before the metadata caches wrap them (so the caches'
    /// hits are not counted as store operations).
    /// </summary>
    public static void AddWharfMetrics(this IServiceCollection services, MetricsOptions options, string storageDriver)
    {
        services.AddSingleton(new MetricsEndpoint(options.Path));
        services.AddSingleton<WharfMetrics>();
        services.AddSingleton<GcMetrics>();
        services.AddSingleton<HttpServerMetrics>();
        Decorate<IStorageDriver>(services, (sp, inner) => new MeteredStorageDriver(inner, storageDriver, sp.GetRequiredService<WharfMetrics>()));
        Decorate<IBlobIndex>(services, (sp, inner) => new MeteredBlobIndex(inner, sp.GetRequiredService<WharfMetrics>()));
        Decorate<IManifestReader>(services, (sp, inner) => new MeteredManifestReader(inner, sp.GetRequiredService<WharfMetrics>()));
        Decorate<IUploadSessionStore>(services, (sp, inner) => new MeteredUploadSessionStore(inner, sp.GetRequiredService<WharfMetrics>()));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(WharfMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            // One route serves all of /v2/: counting routing match attempts per request would cost every request and say nothing.
            .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
            // Wharf records the request duration and active requests itself, with fewer labels (HttpServerMetrics).
            .AddView(i => i.Meter.Name == HttpServerMetrics.AspNetCoreHostingMeter ? MetricStreamConfiguration.Drop : null)
            .AddPrometheusExporter(o =>
            {
                o.ScrapeEndpointPath = options.Path;
                o.ScrapeResponseCacheDurationMilliseconds = 0; // Every scrape sees the counters as they are now.
            }));
    }

    /// <summary>Records requests by route family and maps the scrape endpoint (on its own port when <c>Metrics:Listen</c> says so).</summary>
    public static void UseWharfMetrics(this WebApplication app, MetricsOptions options)
    {
        app.UseMiddleware<RequestMetricsMiddleware>();
        var scrape = app.MapPrometheusScrapingEndpoint(options.Path);
        if (options.Listen is not null)
        {
            scrape.RequireHost($"*:{ListenAddress.Parse(options.Listen).Port}");
        }
    }

    internal static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        services.AddSingleton(sp => wrap(sp, (T)(
            descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!))));
    }
}
