using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Gc;

public sealed class SqliteGcStoreTests : GcStoreContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    protected override async Task<GcStores> CreateStoresAsync(TimeProvider time)
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(None);
        return new GcStores(
            new SqlBlobIndex(_database, time), new SqlManifestReader(_database), new SqliteManifestWriter(_database, time), new SqlRepositoryReader(_database),
            new SqlGcStore(_database, time), new SqlRepositoryDeleter(_database, time));
    }

    protected override Task DestroyStoresAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
