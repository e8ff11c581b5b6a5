using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

public sealed class SqliteTagDetailsReaderTests : TagDetailsReaderContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    protected override async Task<TagDetailsStores> CreateStoresAsync(TimeProvider time)
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(CancellationToken.None);
        return new TagDetailsStores(new SqlBlobIndex(_database, time), new SqliteManifestWriter(_database, time), new SqlTagDetailsReader(_database));
    }

    protected override Task DestroyStoresAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
