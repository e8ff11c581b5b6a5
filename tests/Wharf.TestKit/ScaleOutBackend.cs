using System.Security.Cryptography;
using System.Text;
using Wharf.Metadata.PostgreSql;
using Wharf.Storage.S3;

namespace Wharf.TestKit;

/// <summary>
/// One isolated slice of the real scale-out engines: a key prefix in the shared test bucket and a schema in
/// the test database. Servers given the same <see cref="Settings"/> share blobs and metadata, like instances
/// behind a load balancer. Disposing removes the prefix and the schema.
/// </summary>
public sealed class ScaleOutBackend : IAsyncDisposable
{
    /// <summary>The bucket every test slice lives in.</summary>
    public const string Bucket = "wharf-tests";

    /// <summary>Environment variable that switches <see cref="WharfTestServer"/> to these engines ("s3-postgres").</summary>
    public const string SwitchVariable = "WHARF_TEST_BACKEND";

    private static readonly SemaphoreSlim BucketGate = new(1, 1);
    private static bool _bucketReady;

    private ScaleOutBackend(string name) => Name = name;

    /// <summary>The prefix and schema name.</summary>
    public string Name { get; }

    /// <summary>True when the test run asked for S3 + PostgreSQL instead of the filesystem and SQLite.</summary>
    public static bool Requested => Environment.GetEnvironmentVariable(SwitchVariable) == "s3-postgres";

    /// <summary>
    /// Configuration keys pointing a server at this slice. Blobs are proxied (so that tests see Wharf's own
    /// answers) unless WHARF_TEST_BLOB_DELIVERY=Redirect, as for the real-client runs.
    /// </summary>
    public Dictionary<string, string?> Settings => SettingsVia(TestEngines.S3Endpoint, TestEngines.PostgreSql);

    /// <summary>The settings with other engine addresses (e.g. through a <see cref="TcpRelay"/>).</summary>
    public Dictionary<string, string?> SettingsVia(string s3Endpoint, string postgres) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Storage:Driver"] = "S3",
        ["Storage:S3:Endpoint"] = s3Endpoint,
        ["Storage:S3:Bucket"] = Bucket,
        ["Storage:S3:AccessKey"] = TestEngines.S3AccessKey,
        ["Storage:S3:SecretKey"] = TestEngines.S3SecretKey,
        ["Storage:S3:Prefix"] = Name,
        ["Metadata:Driver"] = "PostgreSql",
        ["Metadata:PostgreSql:ConnectionString"] = postgres,
        ["Metadata:PostgreSql:Schema"] = Name,
        ["Blobs:Delivery"] = Environment.GetEnvironmentVariable("WHARF_TEST_BLOB_DELIVERY") ?? "Proxy",
    };

    /// <summary>A fresh slice.</summary>
    public static Task<ScaleOutBackend> CreateAsync() => CreateAsync(TestEngines.UniqueName("reg"));

    /// <summary>The slice that belongs to a data directory, so that a restarted server finds its data again.</summary>
    public static Task<ScaleOutBackend> ForDataDirectoryAsync(string dataDirectory) =>
        CreateAsync("d" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..24]);

    private static async Task<ScaleOutBackend> CreateAsync(string name)
    {
        await BucketGate.WaitAsync();
        try
        {
            if (!_bucketReady)
            {
                using var driver = new S3Driver(Options(""), TimeProvider.System);
                await driver.EnsureBucketAsync(CancellationToken.None);
                _bucketReady = true;
            }
        }
        finally
        {
            BucketGate.Release();
        }

        return new ScaleOutBackend(name);
    }

    public async ValueTask DisposeAsync()
    {
        using (var driver = new S3Driver(Options(""), TimeProvider.System))
        {
            await driver.DeleteAsync(Name, CancellationToken.None);
        }

        await using var database = new PostgreSqlDatabase(TestEngines.PostgreSql, Name);
        await database.DropSchemaAsync(CancellationToken.None);
    }

    private static S3StorageOptions Options(string prefix) => new()
    {
        Endpoint = TestEngines.S3Endpoint,
        Bucket = Bucket,
        AccessKey = TestEngines.S3AccessKey,
        SecretKey = TestEngines.S3SecretKey,
        Prefix = prefix,
    };
}
