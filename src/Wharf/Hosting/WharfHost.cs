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
    private static readonly TimeSpan ServerStopAllowance = TimeSpan.FromSeconds(10);

    public static WebApplication Build(IConfiguration configuration, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);

        builder.Logging.ClearProviders();
        if (LogFormatOptions.Read(configuration).IsJson)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new() { Indented = false };
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Its per-request scope would carry Kestrel's connection id as a second RequestId; RequestIdMiddleware sets ours.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        UnknownSettings.Check(configuration);
        var options = configuration.Get<WharfOptions>() ?? new WharfOptions();
        Validate(options);
        var auth = AuthConfiguration.Read(configuration);
        var listen = ListenAddress.Parse(options.Listen);
        var metrics = MetricsRegistration.Read(configuration);
        var tracing = TracingRegistration.Read(configuration);
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
        foreach (var section in OptionSections.All)
        {
            section.Register(services, configuration);
        }

        // The host's own stop budget covers the drain and then the server's stop.
        services.AddOptions<HostOptions>().Configure<Wharf.Http.Health.ShutdownOptions>((host, shutdown) => host.ShutdownTimeout = shutdown.DrainTime + ServerStopAllowance);
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

        if (tracing.Enabled)
        {
            services.AddWharfTracing(tracing, storage.Driver == StorageDriverKind.S3 ? "s3" : "filesystem");
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
        services.AddHostedService<AuditPruner>();

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
        foreach (var section in OptionSections.All)
        {
            _ = section.Resolve(services);
        }
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

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Wharf is listening on {Address} with data in {Data}")]
    private static partial void LogListening(ILogger logger, string address, string data);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The data directory {Data} is open to other accounts (mode {Mode}): it holds the token signing keys and password hashes; chmod 700 it")]
    private static partial void LogDataOpenToOthers(ILogger logger, string data, string mode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, with no authentication: anyone who can connect may push, pull and delete")]
    private static partial void LogOpenWithoutAuth(ILogger logger, string address);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, over plain HTTP: passwords and tokens cross the network in clear; serve with --tls-cert and --tls-key")]
    private static partial void LogCredentialsInClear(ILogger logger, string address);
}
