using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Gc;

/// <summary>The GC contract on a real PostgreSQL, each test in a fresh schema.</summary>
public sealed class PostgreSqlGcStoreTests : GcStoreContract
{
    private PostgreSqlDatabase? _database;

    protected override async Task<GcStores> CreateStoresAsync(TimeProvider time)
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("gc"));
        await _database.MigrateAsync(None);
        return new GcStores(
            new SqlBlobIndex(_database, time), new SqlManifestReader(_database), new PostgreSqlManifestWriter(_database, time), new SqlRepositoryReader(_database),
            new SqlGcStore(_database, time), new SqlRepositoryDeleter(_database, time));
    }

    protected override async Task DestroyStoresAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(None);
            await _database.DisposeAsync();
        }
    }
}
