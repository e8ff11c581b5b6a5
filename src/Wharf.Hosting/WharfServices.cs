using Wharf.Auth;
using Wharf.Core.Services;
using Wharf.Http;
using Wharf.Http.Auth;

namespace Wharf.Hosting;

/// <summary>
/// The composition root: every Wharf service a configuration calls for, registered in one place. <c>serve</c> and the
/// test kit add them to the web application (<see cref="WharfHost.Build"/>); the commands (<c>user</c>, <c>token</c>,
/// <c>gc</c>, <c>migrate</c>, …) take them from <see cref="BuildProvider"/>, a plain container with the same registrations
/// that neither listens nor starts a hosted worker. So a command and the server resolve the same stores over the same engine.
/// </summary>
public static class WharfServices
{
    /// <summary>
    /// Refuses unknown keys (<see cref="UnknownSettings"/>), then registers the option sections (validated at start) and
    /// the services: storage, metadata, metrics decorators, caches, registry, auth and the hosted workers. The sections
    /// that choose services are read here with <see cref="OptionSections.Bind{T}"/>, so a bad one throws now.
    /// </summary>
    public static void Add(IServiceCollection services, IConfiguration configuration, TimeProvider? time = null)
    {
        UnknownSettings.Check(configuration);
        var options = OptionSections.Bind<WharfOptions>(configuration, "");
        var auth = OptionSections.Bind<AuthOptions>(configuration, "Auth");
        var metrics = OptionSections.Bind<MetricsOptions>(configuration, "Metrics");
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(options);
        foreach (var section in OptionSections.All)
        {
            section.Register(services, configuration);
        }

        var data = Path.GetFullPath(options.Data);
        DataDirectoryPermissions.Create(data);
        var storage = OptionSections.Bind<StorageOptions>(configuration, "Storage");
        services.AddWharfStorage(storage, data);
        var shared = services.AddWharfMetadata(OptionSections.Bind<MetadataOptions>(configuration, "Metadata"), data);
        services.AddWharfInlineBlobs(storage, shared);
        if (metrics.Enabled)
        {
            services.AddWharfMetrics(metrics, storage.Driver == StorageDriverKind.S3 ? "s3" : "filesystem");
        }

        // Before the caches: a cache hit is not a store call and makes no span.
        var tracing = OptionSections.Bind<TracingOptions>(configuration, "Tracing");
        if (tracing.Enabled)
        {
            services.AddWharfTracing(tracing, storage.Driver == StorageDriverKind.S3 ? "s3" : "filesystem");
        }

        // With a shared database the caches serve only while the listener hears every other writer's changes
        // (docs/design/cache-invalidation.md); a command, which runs no hosted service, reads the database.
        // On PostgreSQL they take GET manifest from 5,641 to 52,129 req/s (bench/scale-out/manifest-get.sh).
        var cache = OptionSections.Bind<CacheOptions>(configuration, "Cache");
        if (cache.Enabled)
        {
            services.AddWharfMetadataCaches(cache, shared);
            if (shared)
            {
                services.AddSingleton<CacheListener>();
                services.AddHostedService(sp => sp.GetRequiredService<CacheListener>());
            }
        }

        services.AddWharfWebhooks(OptionSections.Bind<Wharf.Http.Webhooks.WebhooksOptions>(configuration, "Webhooks"), ListenAddress.Parse(options.Listen));
        services.AddWharfReplication(OptionSections.Bind<Wharf.Http.Replication.ReplicationOptions>(configuration, "Replication"));
        services.AddWharfRegistry();
        Wharf.Http.Mirror.MirrorRegistration.AddWharfMirror(services, OptionSections.Bind<Wharf.Core.Mirror.MirrorOptions>(configuration, "Mirror"));
        services.AddWharfAuth(auth, data);
        services.AddHostedService<UploadJanitor>();
        services.AddHostedService<GcWorker>();
        services.AddHostedService<RetentionScheduler>();
        services.AddHostedService<AuditPruner>();
    }

    /// <summary>
    /// The services for a command: <see cref="Add"/> in a plain container with Wharf's console logging (the configuration's
    /// <c>Logging</c> levels apply), every option section validated as <c>serve</c> validates them at start. Nothing
    /// listens and no hosted service runs; the caller migrates (<see cref="StartupTask"/>) when it needs to.
    /// </summary>
    public static ServiceProvider BuildProvider(IConfiguration configuration, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddWharfConsole(configuration));
        services.AddMetrics();
        Add(services, configuration, time);
        var provider = services.BuildServiceProvider();
        try
        {
            WharfHost.ValidateSections(provider);
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }
}
