using Wharf.Core.Audit;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Audit;

/// <summary>The audit contract on a real PostgreSQL, each test in a fresh schema.</summary>
public sealed class PostgreSqlAuditStoreTests : AuditStoreContract
{
    private PostgreSqlDatabase? _database;

    protected override async Task<IAuditStore> CreateStoreAsync()
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("audit"));
        await _database.MigrateAsync(None);
        return new SqlAuditStore(_database);
    }

    protected override async Task DestroyStoreAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(None);
            await _database.DisposeAsync();
        }
    }
}
