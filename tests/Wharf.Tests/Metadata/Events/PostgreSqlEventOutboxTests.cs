using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Events;

/// <summary>The outbox contract on a real PostgreSQL, each test in a fresh schema.</summary>
public sealed class PostgreSqlEventOutboxTests : EventOutboxContract
{
    private PostgreSqlDatabase? _database;

    protected override async Task<SqlDatabase> CreateDatabaseAsync()
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("outbox"));
        await _database.MigrateAsync(None);
        return _database;
    }

    protected override async Task DestroyDatabaseAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(None);
            await _database.DisposeAsync();
        }
    }
}
