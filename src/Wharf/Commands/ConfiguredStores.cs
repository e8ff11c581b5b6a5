using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary>
/// The storage driver and metadata store that <c>serve</c> would use with the same <c>--config</c>, <c>--data</c> and
/// <c>WHARF_…</c> variables (filesystem or S3; SQLite or PostgreSQL), taken from the application as <c>serve</c> builds
/// it (<see cref="RegistryServices.OpenAsync"/>, which every command on the store uses), for <c>check</c>. Safe while servers run.
/// </summary>
public sealed class ConfiguredStores : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ConfiguredStores(ServiceProvider services) => _services = services;

    public IStorageDriver Storage => _services.GetRequiredService<IStorageDriver>();

    public IBlobIndex Blobs => _services.GetRequiredService<IBlobIndex>();

    public IMetadataInventory Inventory => _services.GetRequiredService<IMetadataInventory>();

    public static string SqliteFile(string dataDirectory) => BackendRegistration.SqliteFile(dataDirectory);

    /// <summary>What the configuration names, without opening anything; unknown keys and bad values are refused as at <c>serve</c>.</summary>
    public static (string Data, StorageOptions Storage, MetadataOptions Metadata) Read(string? configFile, string? data)
    {
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data });
        UnknownSettings.Check(configuration);
        var options = OptionSections.Bind<WharfOptions>(configuration, "");
        return (
            Path.GetFullPath(options.Data),
            OptionSections.Bind<StorageOptions>(configuration, "Storage"),
            OptionSections.Bind<MetadataOptions>(configuration, "Metadata"));
    }

    /// <summary>
    /// Opens the configured stores and brings the metadata schema up to date (as every other command does). An SQLite
    /// file that does not exist is an error (<see cref="FileNotFoundException"/>): a mistyped <c>--data</c> would otherwise
    /// check an empty store and find it in order.
    /// </summary>
    public static async Task<ConfiguredStores> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        var (directory, _, metadata) = Read(configFile, data);
        if (metadata.Driver == MetadataDriverKind.Sqlite && !File.Exists(SqliteFile(directory)))
        {
            throw new FileNotFoundException($"No metadata store at {SqliteFile(directory)} (is --data right?)", SqliteFile(directory));
        }

        return new ConfiguredStores(await RegistryServices.OpenAsync(configFile, data, cancellationToken));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
