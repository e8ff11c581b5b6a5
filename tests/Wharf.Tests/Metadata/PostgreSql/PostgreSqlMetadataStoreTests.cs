using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Auth;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.PostgreSql;

/// <summary>The metadata contract on a real PostgreSQL, each test in a fresh schema of the database in WHARF_TEST_POSTGRES.</summary>
public sealed partial class PostgreSqlMetadataStoreTests : MetadataStoreContract
{
    private static readonly int[] EmbeddedVersions = [.. PostgreSqlDatabase.Migrations(typeof(PostgreSqlDatabase).Assembly).Select(m => m.Version)];

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


    private static MetadataStores Over(PostgreSqlDatabase db, TimeProvider time) => new(
        new SqlBlobIndex(db, time),
        new SqlManifestReader(db),
        new PostgreSqlManifestWriter(db, time),
        new SqlRepositoryReader(db),
        new SqlUploadSessionStore(db),
        new SqlUserStore(db),
        new SqlAccessTokenStore(db),
        new SqlSigningKeyStore(db),
        new PostgreSqlLoginFailureStore(db),
        new RepositoryInfoRoles(new SqlRepositoryInfoStore(db), new PostgreSqlRepositorySearch(db), new PostgreSqlUsageStore(db), new PostgreSqlUsageStore(db)),
        new PolicyStores(new SqlNamespaceUsageStore(db, time), new SqlRetentionReader(db)));

    [Fact]
    public async Task Migrating_twice_is_harmless_and_keeps_data()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        await _database!.MigrateAsync(None);
        await _database.MigrateAsync(None);

        Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);
        Assert.Equal(EmbeddedVersions, await _database.AppliedVersionsAsync(None));
        Assert.Contains(3, EmbeddedVersions); // 0003_shared_auth
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

    [Fact]
    public async Task Instances_with_their_own_connection_pools_starting_at_once_end_with_one_signing_key()
    {
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgreSqlDatabase(TestEngines.PostgreSql, _database!.Schema)).ToList();
        try
        {
            var keys = databases
                .Select(d => new SigningKeys(
                    new StoredSigningKeySource(new SqlSigningKeyStore(d), Time, NullLogger<StoredSigningKeySource>.Instance),
                    "RS256",
                    Time))
                .ToList();

            await Task.WhenAll(keys.Select(k => Task.Run(async () => await k.InitializeAsync(None))));

            var stored = Assert.Single(await SigningKeyStore.ListAsync(None));
            Assert.All(keys, k => Assert.Equal(stored.Kid, k.Credentials.Key.KeyId));
        }
        finally
        {
            foreach (var d in databases)
            {
                await d.DisposeAsync();
            }
        }
    }
}
