using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

public sealed class SqliteMetadataStoreTests : MetadataStoreContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    private string DatabasePath => Path.Combine(_temp!.Path, "wharf.db");

    protected override async Task<MetadataStores> CreateStoresAsync(TimeProvider time)
    {
        _temp = new TempDirectory("wharf-db");
        _database = new SqliteDatabase(DatabasePath);
        await _database.MigrateAsync(None);
        return Over(_database, time);
    }

    protected override Task DestroyStoresAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }

    private static MetadataStores Over(SqliteDatabase db, TimeProvider time) => new(
        new SqlBlobIndex(db, time),
        new SqlManifestReader(db),
        new SqliteManifestWriter(db, time),
        new SqlRepositoryReader(db),
        new SqlUploadSessionStore(db),
        new SqlUserStore(db),
        new SqlAccessTokenStore(db),
        new SqlSigningKeyStore(db),
        new SqliteLoginFailureStore(db),
        new RepositoryInfoRoles(new SqlRepositoryInfoStore(db), new SqliteRepositorySearch(db), new SqliteUsageStore(db), new SqliteUsageStore(db)),
        new PolicyStores(new SqlNamespaceUsageStore(db, time), new SqlRetentionReader(db)));

    [Fact]
    public async Task Migrating_twice_is_harmless_and_keeps_data()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        await _database!.MigrateAsync(None);
        await _database.MigrateAsync(None);

        Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);
        Assert.Equal(EmbeddedVersions(), await SchemaVersionsAsync());
        Assert.Contains(3L, EmbeddedVersions()); // 0003_shared_auth
    }

    [Fact]
    public async Task A_second_database_over_the_same_file_sees_the_data()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        using var reopened = new SqliteDatabase(DatabasePath);
        await reopened.MigrateAsync(None);
        var stores = Over(reopened, Time);

        Assert.Equal(manifest.Payload, (await stores.Reader.GetByTagAsync("a", "latest", None))!.Payload);
    }

    [Fact]
    public async Task Database_uses_write_ahead_logging()
    {
        await using var connection = await _database!.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Link_records_the_time_of_the_clock()
    {
        Time.SetUtcNow(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        await LinkBlobAsync("a", "b");

        await using var connection = await _database!.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT created_at FROM repositories WHERE name = 'a'";
        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), (long)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>The versions of the migrations embedded in the store (each must be applied exactly once).</summary>
    private static List<long> EmbeddedVersions() =>
        [.. typeof(SqliteDatabase).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => long.Parse(n.AsSpan(11, 4), System.Globalization.CultureInfo.InvariantCulture))
            .Order()];

    private async Task<List<long>> SchemaVersionsAsync()
    {
        await using var connection = await _database!.OpenAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<long>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }
}
