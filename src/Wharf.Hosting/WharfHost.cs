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

        builder.Logging.AddWharfConsole(configuration);
        var services = builder.Services;
        WharfServices.Add(services, configuration, time);
        var options = OptionSections.Bind<WharfOptions>(configuration, "");
        var listen = ListenAddress.Parse(options.Listen);
        var metrics = OptionSections.Bind<MetricsOptions>(configuration, "Metrics");
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

        services.AddSingleton<Wharf.Http.Transport.LargeBlockMemoryPoolFactory>();
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(sp => sp.GetRequiredService<Wharf.Http.Transport.LargeBlockMemoryPoolFactory>());
        services.AddSingleton<MemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());
        builder.WebHost.UseSockets(o => o.WaitForDataBeforeAllocatingBuffer = false);
        services.AddSingleton(listen);

        // The host's own stop budget covers the drain and then the server's stop.
        services.AddOptions<HostOptions>().Configure<Wharf.Http.Health.ShutdownOptions>((host, shutdown) => host.ShutdownTimeout = shutdown.DrainTime + ServerStopAllowance);
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<HttpLimitsOptions>((kestrel, limits) => limits.ApplyTo(kestrel.Limits));

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
        var migrate = app.Services.GetRequiredService<MetadataOptions>().MigrateOnStart;
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

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Wharf is listening on {Address} with data in {Data}")]
    private static partial void LogListening(ILogger logger, string address, string data);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The data directory {Data} is open to other accounts (mode {Mode}): it holds the token signing keys and password hashes; chmod 700 it")]
    private static partial void LogDataOpenToOthers(ILogger logger, string data, string mode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, with no authentication: anyone who can connect may push, pull and delete")]
    private static partial void LogOpenWithoutAuth(ILogger logger, string address);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, over plain HTTP: passwords and tokens cross the network in clear; serve with --tls-cert and --tls-key")]
    private static partial void LogCredentialsInClear(ILogger logger, string address);
}
