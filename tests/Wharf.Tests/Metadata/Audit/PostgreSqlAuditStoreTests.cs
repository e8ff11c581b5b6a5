namespace Wharf.Tests.Metadata.Audit;

/// <summary>The audit contract on a real PostgreSQL, each test in a fresh schema.</summary>
public sealed class PostgreSqlAuditStoreTests : AuditStoreContract
{
    protected override Task<FreshDatabase> CreateDatabaseAsync() => FreshDatabase.PostgreSqlAsync("audit");
}
