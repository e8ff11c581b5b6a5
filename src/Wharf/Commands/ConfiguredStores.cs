using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Hosting;
using Wharf.Metadata;

namespace Wharf.Commands;

/// <summary>
/// The storage driver and metadata store that <c>serve</c> would use with the same <c>--config</c>, <c>--data</c> and
/// <c>WHARF_…</c> variables, registered by the same <see cref="BackendRegistration"/> (filesystem or S3; SQLite or
/// PostgreSQL), for the maintenance commands (<c>check</c>, <c>backup</c>, <c>restore</c>). Safe while servers run.
/// </summary>
public sealed class ConfiguredStores : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ConfiguredStores(ServiceProvider services, string data, StorageOptions storage, MetadataOptions metadata)
    {
        _services = services;
        DataDirectory = data;
        StorageDriver = storage.Driver;
        MetadataDriver = metadata.Driver;
    }

    /// <summary>The data directory, absolute.</summary>
    public string DataDirectory { get; }

    public StorageDriverKind StorageDriver { get; }

    public MetadataDriverKind MetadataDriver { get; }

    /// <summary>The SQLite file of the data directory (meaningful when <see cref="MetadataDriver"/> is SQLite).</summary>
    public string SqlitePath => SqliteFile(DataDirectory);

    public IStorageDriver Storage => _services.GetRequiredService<IStorageDriver>();

    public IBlobIndex Blobs => _services.GetRequiredService<IBlobIndex>();

    public IMetadataInventory Inventory => new SqlMetadataInventory(_services.GetRequiredService<SqlDatabase>());

    public static string SqliteFile(string dataDirectory) => Path.Combine(dataDirectory, "wharf.db");

    /// <summary>What the configuration names, without opening anything.</summary>
    public static (string Data, StorageOptions Storage, MetadataOptions Metadata) Read(string? configFile, string? data)
    {
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data });
        var options = configuration.Get<WharfOptions>() ?? new WharfOptions();
        return (
            Path.GetFullPath(options.Data),
            configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions(),
            configuration.GetSection("Metadata").Get<MetadataOptions>() ?? new MetadataOptions());
    }

    /// <summary>
    /// Opens the configured stores and brings the metadata schema up to date (as <c>user</c> and <c>token</c> do). An SQLite
    /// file that does not exist is an error (<see cref="FileNotFoundException"/>): a mistyped <c>--data</c> would otherwise
    /// check an empty store and find it in order.
    /// </summary>
    public static async Task<ConfiguredStores> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        var (directory, storage, metadata) = Read(configFile, data);
        if (metadata.Driver == MetadataDriverKind.Sqlite && !File.Exists(SqliteFile(directory)))
        {
            throw new FileNotFoundException($"No metadata store at {SqliteFile(directory)} (is --data right?)", SqliteFile(directory));
        }

        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddWharfStorage(storage, directory);
        services.AddWharfMetadata(metadata, directory);
        var provider = services.BuildServiceProvider();
        try
        {
            foreach (var task in provider.GetServices<StartupTask>().Where(t => t.Name == "migrations"))
            {
                await task.RunAsync(provider, cancellationToken);
            }
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return new ConfiguredStores(provider, directory, storage, metadata);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
