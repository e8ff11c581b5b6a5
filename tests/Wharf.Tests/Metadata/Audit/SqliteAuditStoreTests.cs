using Wharf.Core.Audit;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Audit;

public sealed class SqliteAuditStoreTests : AuditStoreContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    protected override async Task<IAuditStore> CreateStoreAsync()
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(None);
        return new SqlAuditStore(_database);
    }

    protected override Task DestroyStoreAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
