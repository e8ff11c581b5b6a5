namespace Wharf.Tests.Metadata.Audit;

public sealed class SqliteAuditStoreTests : AuditStoreContract
{
    protected override Task<FreshDatabase> CreateDatabaseAsync() => FreshDatabase.SqliteAsync();
}
