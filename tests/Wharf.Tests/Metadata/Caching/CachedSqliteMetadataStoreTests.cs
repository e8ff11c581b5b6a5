using Wharf.Core.Metadata.Caching;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Caching;

/// <summary>The metadata contract through the in-process caches, over SQLite, as the single-node host wires them.</summary>
public sealed class CachedSqliteMetadataStoreTests : MetadataStoreContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    protected override async Task<MetadataStores> CreateStoresAsync(TimeProvider time)
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(None);
        // Small capacities so that eviction runs during the contract too.
        var manifests = new CachingManifestStore(new SqlManifestReader(_database), new SqliteManifestWriter(_database, time), capacityBytes: 2048);
        return new MetadataStores(
            new CachingBlobIndex(new SqlBlobIndex(_database, time), capacity: 8),
            manifests,
            manifests,
            new SqlRepositoryReader(_database),
            new SqlUploadSessionStore(_database),
            new SqlUserStore(_database),
            new SqlAccessTokenStore(_database),
            new SqlSigningKeyStore(_database),
            new SqliteLoginFailureStore(_database),
            new RepositoryInfoRoles(new SqlRepositoryInfoStore(_database), new SqliteRepositorySearch(_database), new SqliteUsageStore(_database), new SqliteUsageStore(_database)),
        new PolicyStores(new SqlNamespaceUsageStore(_database, time), new SqlRetentionReader(_database)));
    }

    protected override Task DestroyStoresAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
