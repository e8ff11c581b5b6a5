using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Wharf.Core.Services;
using Wharf.Core.Storage;
using Wharf.Http;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;

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
        var listen = ListenAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (listen.Address is null)
            {
                kestrel.ListenLocalhost(listen.Port);
            }
            else
            {
                kestrel.Listen(listen.Address, listen.Port);
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

        var data = Path.GetFullPath(options.Data);
        services.AddSingleton<IStorageDriver>(_ => new FileSystemDriver(data));
        services.AddWharfSqliteMetadata(Path.Combine(data, "wharf.db"));
        if (configuration.GetSection("Cache").Get<CacheOptions>()?.Enabled ?? true)
        {
            services.AddWharfMetadataCaches();
        }

        services.AddWharfRegistry();
        services.AddHostedService<UploadJanitor>();

        var app = builder.Build();
        app.UseWharfRegistry();
        app.MapWharfRegistry();
        return app;
    }

    /// <summary>Migrates the metadata store, starts listening and returns the bound address.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<SqliteDatabase>().MigrateAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Wharf");
        var options = app.Services.GetRequiredService<WharfOptions>();
        LogListening(logger, address, Path.GetFullPath(options.Data));
        if (!app.Services.GetRequiredService<ListenAddress>().IsLoopback)
        {
            LogOpenWithoutAuth(logger, address);
        }

        return uri;
    }

    /// <summary>Resolves every validated options section, throwing <see cref="OptionsValidationException"/> on the first bad one.</summary>
    public static void ValidateSections(IServiceProvider services)
    {
        _ = services.GetRequiredService<UploadOptions>();
        _ = services.GetRequiredService<ManifestOptions>();
        _ = services.GetRequiredService<PaginationOptions>();
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

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Listening on {Address}, reachable beyond this machine, with no authentication: anyone who can connect may push, pull and delete")]
    private static partial void LogOpenWithoutAuth(ILogger logger, string address);
}
