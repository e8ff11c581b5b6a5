using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata;

/// <summary>A migrated, empty metadata database for one test: SQLite in a directory of its own, or PostgreSQL in a schema of its own.</summary>
public sealed class FreshDatabase : IAsyncDisposable
{
    private readonly Func<ValueTask> _destroy;

    private FreshDatabase(SqlDatabase database, Func<ValueTask> destroy)
    {
        Database = database;
        _destroy = destroy;
    }

    public SqlDatabase Database { get; }

    public static async Task<FreshDatabase> SqliteAsync()
    {
        var temp = new TempDirectory("wharf-db");
        var database = new SqliteDatabase(Path.Combine(temp.Path, "wharf.db"));
        await database.MigrateAsync(CancellationToken.None);
        return new FreshDatabase(database, () =>
        {
            database.Dispose();
            temp.Dispose();
            return ValueTask.CompletedTask;
        });
    }

    public static async Task<FreshDatabase> PostgreSqlAsync(string name)
    {
        var database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName(name));
        await database.MigrateAsync(CancellationToken.None);
        return new FreshDatabase(database, async () =>
        {
            await database.DropSchemaAsync(CancellationToken.None);
            await database.DisposeAsync();
        });
    }

    public ValueTask DisposeAsync() => _destroy();
}
