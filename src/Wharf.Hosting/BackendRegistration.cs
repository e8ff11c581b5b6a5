using Wharf.Core.Storage;
using Wharf.Metadata.PostgreSql;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.Storage.S3;

namespace Wharf.Hosting;

/// <summary>Work to do before serving: schema migrations, bucket creation.</summary>
public sealed record StartupTask(string Name, Func<IServiceProvider, CancellationToken, Task> RunAsync);

/// <summary>Chooses the storage driver and metadata store from configuration.</summary>
public static class BackendRegistration
{
    /// <summary>Registers the storage driver named by <c>Storage:Driver</c>.</summary>
    /// <summary>Where the embedded metadata store lives in a data directory: the one place that names the file.</summary>
    public static string SqliteFile(string dataDirectory) => Path.Combine(dataDirectory, "wharf.db");

    public static void AddWharfStorage(this IServiceCollection services, StorageOptions storage, string data)
    {
        if (storage.Driver == StorageDriverKind.FileSystem)
        {
            services.AddSingleton<IStorageDriver>(_ => new FileSystemDriver(data, storage.FileSystem.DirectWrites));
            return;
        }

        var s3 = storage.S3 ?? throw new InvalidOperationException("Storage:S3 is required by the chosen driver (StorageOptions validates it)");
        services.AddSingleton(sp => new S3Driver(s3, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IStorageDriver>(sp => sp.GetRequiredService<S3Driver>());
        if (s3.CreateBucket)
        {
            services.AddSingleton(new StartupTask("bucket", (sp, ct) => sp.GetRequiredService<S3Driver>().EnsureBucketAsync(ct)));
        }
    }

    /// <summary>
    /// Keeps small whole blobs in the metadata store (<see cref="InlineBlobStorage"/>) when blobs are files and the
    /// metadata store is this process's own SQLite file, whose WAL orders the blob's row before the link's commit.
    /// </summary>
    public static void AddWharfInlineBlobs(this IServiceCollection services, StorageOptions storage, bool sharedMetadata)
    {
        if (storage.Driver != StorageDriverKind.FileSystem || sharedMetadata || storage.InlineMaxBytes == 0)
        {
            return;
        }

        MetricsRegistration.Decorate<IStorageDriver>(services, (sp, inner) =>
            new InlineBlobStorage(inner, sp.GetRequiredService<IInlineBlobStore>(), storage.InlineMaxBytes, sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>Registers the metadata store named by <c>Metadata:Driver</c>; returns whether it is shared by several processes.</summary>
    public static bool AddWharfMetadata(this IServiceCollection services, MetadataOptions metadata, string data)
    {
        services.AddSingleton<Wharf.Core.Metadata.IMetadataInventory, Wharf.Metadata.SqlMetadataInventory>(); // wharf check's view of every record
        if (metadata.Driver == MetadataDriverKind.Sqlite)
        {
            services.AddWharfSqliteMetadata(SqliteFile(data));
            services.AddSingleton(new StartupTask("migrations", (sp, ct) => sp.GetRequiredService<SqliteDatabase>().MigrateAsync(ct)));
            return false;
        }

        var postgres = metadata.PostgreSql ?? throw new InvalidOperationException("Metadata:PostgreSql is required by the chosen driver (MetadataOptions validates it)");
        services.AddWharfPostgreSqlMetadata(postgres.ConnectionString, postgres.Schema);
        services.AddSingleton(new StartupTask("migrations", (sp, ct) => sp.GetRequiredService<PostgreSqlDatabase>().MigrateAsync(ct)));
        return true;
    }
}
