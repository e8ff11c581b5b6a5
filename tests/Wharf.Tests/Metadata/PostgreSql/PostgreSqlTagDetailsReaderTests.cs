using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.PostgreSql;

/// <summary>The tag-details contract on a real PostgreSQL, each test in a fresh schema of the database in WHARF_TEST_POSTGRES.</summary>
public sealed class PostgreSqlTagDetailsReaderTests : TagDetailsReaderContract
{
    private PostgreSqlDatabase? _database;

    protected override async Task<TagDetailsStores> CreateStoresAsync(TimeProvider time)
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("tags"));
        await _database.MigrateAsync(CancellationToken.None);
        return new TagDetailsStores(new SqlBlobIndex(_database, time), new PostgreSqlManifestWriter(_database, time), new SqlTagDetailsReader(_database));
    }

    protected override async Task DestroyStoresAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(CancellationToken.None);
            await _database.DisposeAsync();
        }
    }
}
