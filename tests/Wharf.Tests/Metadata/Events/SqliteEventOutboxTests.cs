namespace Wharf.Tests.Metadata.Events;

public sealed class SqliteEventOutboxTests : EventOutboxContract
{
    protected override Task<FreshDatabase> CreateDatabaseAsync() => FreshDatabase.SqliteAsync();
}
