using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Wharf.Auth;
using Wharf.Core.Services;
using Wharf.Http;
using Wharf.Http.Auth;

namespace Wharf.Hosting;

/// <summary>Builds and starts the registry web application from a configuration tree.</summary>
public static partial class WharfHost
{
    public static WebApplication Build(IConfiguration configuration, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        var options = configuration.Get<WharfOptions>() ?? new WharfOptions();
        Validate(options);
        var auth = AuthConfiguration.Read(configuration);
        var listen = ListenAddress.Parse(options.Listen);
        var metrics = MetricsRegistration.Read(configuration);
        var metricsListen = metrics is { Enabled: true, Listen: { } own } ? ListenAddress.Parse(own) : null;
        var certificate = TlsCertificate.Load(options.Tls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> https = certificate is null ? _ => { } : l => l.UseHttps(certificate);
            if (listen.Address is null)
            {
                kestrel.ListenLocalhost(listen.Port, https);
            }
            else
            {
                kestrel.Listen(listen.Address, listen.Port, https);
            }

            if (metricsListen is not null)
            {
                // The scrape port speaks plain HTTP: what it serves is repository-agnostic counters only.
                if (metricsListen.Address is null)
                {
                    kestrel.ListenLocalhost(metricsListen.Port);
                }
                else
                {
                    kestrel.Listen(metricsListen.Address, metricsListen.Port);
                }
            }
        });

        var services = builder.Services;
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Wharf.Http.Transport.LargeBlockMemoryPoolFactory>();
        builder.WebHost.UseSockets(o => o.WaitForDataBeforeAllocatingBuffer = false);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(listen);
        AddValidated<UploadOptions>(services, configuration, "Uploads");
        AddValidated<ManifestOptions>(services, configuration, "Manifests");
        AddValidated<PaginationOptions>(services, configuration, "Pagination");

        AddValidated<BlobOptions>(services, configuration, "Blobs");
        AddValidated<Wharf.Core.Services.Layers.LayerBrowserOptions>(services, configuration, "LayerBrowser");
        AddValidated<SearchOptions>(services, configuration, "Search");
        AddValidated<UsageOptions>(services, configuration, "Usage");
        AddValidated<Wharf.Core.Services.Gc.GcOptions>(services, configuration, "Gc");
        AddValidated<Wharf.Http.Policies.PoliciesOptions>(services, configuration, "Policies");
        AddValidated<Wharf.Http.Policies.RetentionOptions>(services, configuration, "Retention");
        AddValidated<Wharf.Http.Policies.QuotasOptions>(services, configuration, "Quotas");
        AddValidated<Wharf.Http.Middleware.PublicAddressOptions>(services, configuration, "Http");
        AddValidated<CacheOptions>(services, configuration, "Cache");
        AddValidated<HttpLimitsOptions>(services, configuration, "Http");
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<HttpLimitsOptions>((kestrel, limits) => limits.ApplyTo(kestrel.Limits));

        var data = Path.GetFullPath(options.Data);
        DataDirectoryPermissions.Create(data);
        var storage = configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        services.AddWharfStorage(storage, data);
        var shared = services.AddWharfMetadata(configuration.GetSection("Metadata").Get<MetadataOptions>() ?? new MetadataOptions(), data);
        if (metrics.Enabled)
        {
            services.AddWharfMetrics(metrics, storage.Driver == StorageDriverKind.S3 ? "s3" : "filesystem");
        }

        // The in-process caches are correct only for a single writer; a shared database has several.
        // Bound values are checked (ValidateOnStart) before the host serves; the caches are built from the same section.
        var cache = configuration.GetSection("Cache").Get<CacheOptions>() ?? new CacheOptions();
        if (!shared && cache.Enabled)
        {
            services.AddWharfMetadataCaches(cache);
        }

        services.AddWharfRegistry();
        services.AddWharfAuth(auth, data);
        services.AddHostedService<UploadJanitor>();
        services.AddHostedService<GcWorker>();
        services.AddHostedService<RetentionScheduler>();

        var app = builder.Build();
        if (metrics.Enabled)
        {
            app.UseWharfMetrics(metrics);
        }

        app.UseWharfRegistry();
        app.MapWharfRegistry();
        return app;
    }

    /// <summary>Migrates the metadata store, starts listening and returns the bound address.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var migrate = app.Configuration.GetSection("Metadata").Get<MetadataOptions>()?.MigrateOnStart ?? true;
        foreach (var task in app.Services.GetServices<StartupTask>().Where(t => migrate || t.Name != "migrations"))
        {
            await task.RunAsync(app.Services, cancellationToken);
        }

        var auth = app.Services.GetRequiredService<AuthOptions>();
        if (auth.Mode != AuthMode.None)
        {
            // Loads the signing keys (creating the first one at first start) before any request needs them.
            await app.Services.GetRequiredService<SigningKeys>().InitializeAsync(cancellationToken);
        }

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Wharf");
        var options = app.Services.GetRequiredService<WharfOptions>();
        LogListening(logger, address, Path.GetFullPath(options.Data));
        if (DataDirectoryPermissions.OpenToOthers(Path.GetFullPath(options.Data)) is { } mode)
        {
            LogDataOpenToOthers(logger, Path.GetFullPath(options.Data), DataDirectoryPermissions.Octal(mode));
        }

        if (!app.Services.GetRequiredService<ListenAddress>().IsLoopback)
        {
            if (auth.Mode == AuthMode.None)
            {
                LogOpenWithoutAuth(logger, address);
            }
            else if (!options.Tls.Enabled)
            {
                LogCredentialsInClear(logger, address);
            }
        }

        return uri;
    }

    /// <summary>Resolves every validated options section, throwing <see cref="OptionsValidationException"/> on the first bad one.</summary>
    public static void ValidateSections(IServiceProvider services)
    {
        _ = services.GetRequiredService<UploadOptions>();
        _ = services.GetRequiredService<ManifestOptions>();
        _ = services.GetRequiredService<PaginationOptions>();
        _ = services.GetRequiredService<BlobOptions>();
        _ = services.GetRequiredService<Wharf.Core.Services.Layers.LayerBrowserOptions>();
        _ = services.GetRequiredService<SearchOptions>();
        _ = services.GetRequiredService<UsageOptions>();
        _ = services.GetRequiredService<Wharf.Core.Services.Gc.GcOptions>();
        _ = services.GetRequiredService<Wharf.Http.Policies.PoliciesOptions>();
        _ = services.GetRequiredService<Wharf.Http.Policies.RetentionOptions>();
        _ = services.GetRequiredService<Wharf.Http.Policies.QuotasOptions>();
        _ = services.GetRequiredService<Wharf.Http.Middleware.PublicAddressOptions>();
        _ = services.GetRequiredService<CacheOptions>();
        _ = services.GetRequiredService<HttpLimitsOptions>();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem with the top-level options.</summary>
    public static void Validate(WharfOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException("Wharf", typeof(WharfOptions), results.Select(r => r.ErrorMessage ?? "invalid"));
        }
    }

    private static void AddValidated<T>(IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Wharf is listening on {Address} with data in {Data}")]
    private static partial void LogListening(ILogger logger, string address, string data);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The data directory {Data} is open to other accounts (mode {Mode}): it holds the token signing keys and password hashes; chmod 700 it")]
    private static partial void LogDataOpenToOthers(ILogger logger, string data, string mode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, with no authentication: anyone who can connect may push, pull and delete")]
    private static partial void LogOpenWithoutAuth(ILogger logger, string address);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, over plain HTTP: passwords and tokens cross the network in clear; serve with --tls-cert and --tls-key")]
    private static partial void LogCredentialsInClear(ILogger logger, string address);
}
