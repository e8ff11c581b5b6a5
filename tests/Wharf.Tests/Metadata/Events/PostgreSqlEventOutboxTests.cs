namespace Wharf.Tests.Metadata.Events;

/// <summary>The outbox contract on a real PostgreSQL, each test in a fresh schema.</summary>
public sealed class PostgreSqlEventOutboxTests : EventOutboxContract
{
    protected override Task<FreshDatabase> CreateDatabaseAsync() => FreshDatabase.PostgreSqlAsync("outbox");
}
