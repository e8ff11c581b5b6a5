using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.PostgreSql;

/// <summary>The metadata contract on a real PostgreSQL, each test in a fresh schema of the database in WHARF_TEST_POSTGRES.</summary>
public sealed class PostgreSqlMetadataStoreTests : MetadataStoreContract
{
    private PostgreSqlDatabase? _database;

    protected override async Task<MetadataStores> CreateStoresAsync(TimeProvider time)
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("contract"));
        await _database.MigrateAsync(None);
        return Over(_database, time);
    }

    protected override async Task DestroyStoresAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(None);
            await _database.DisposeAsync();
        }
    }

    private static List<int> EmbeddedVersions => [.. PostgreSqlDatabase.Migrations(typeof(PostgreSqlDatabase).Assembly).Select(m => m.Version)];

    private static MetadataStores Over(PostgreSqlDatabase db, TimeProvider time) => new(
        new PostgreSqlBlobIndex(db, time),
        new PostgreSqlManifestReader(db),
        new PostgreSqlManifestWriter(db, time),
        new PostgreSqlRepositoryReader(db),
        new PostgreSqlUploadSessionStore(db),
        new PostgreSqlUserStore(db),
        new PostgreSqlAccessTokenStore(db),
        new RepositoryInfoRoles(new PostgreSqlRepositoryInfoStore(db), new PostgreSqlRepositorySearch(db), new PostgreSqlUsageStore(db), new PostgreSqlUsageStore(db)));

    [Fact]
    public async Task Migrating_twice_is_harmless_and_keeps_data()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        await _database!.MigrateAsync(None);
        await _database.MigrateAsync(None);

        Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);
        Assert.Equal(EmbeddedVersions, await _database.AppliedVersionsAsync(None));
    }

    [Fact]
    public async Task Instances_migrating_a_fresh_schema_at_once_all_succeed()
    {
        var schema = TestEngines.UniqueName("migrate");
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgreSqlDatabase(TestEngines.PostgreSql, schema)).ToList();
        try
        {
            await Task.WhenAll(databases.Select(d => Task.Run(async () => await d.MigrateAsync(None))));
            Assert.Equal(EmbeddedVersions, await databases[0].AppliedVersionsAsync(None));
        }
        finally
        {
            await databases[0].DropSchemaAsync(None);
            foreach (var d in databases)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_second_instance_sees_writes_at_once()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        await using var other = new PostgreSqlDatabase(TestEngines.PostgreSql, _database!.Schema);
        var stores = Over(other, Time);

        Assert.Equal(manifest.Payload, (await stores.Reader.GetByTagAsync("a", "latest", None))!.Payload);
    }
}
