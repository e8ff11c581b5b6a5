using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Events;

public sealed class SqliteEventOutboxTests : EventOutboxContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    protected override async Task<SqlDatabase> CreateDatabaseAsync()
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(None);
        return _database;
    }

    protected override Task DestroyDatabaseAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
