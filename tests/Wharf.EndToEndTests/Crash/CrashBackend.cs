using System.Security.Cryptography;
using Wharf.Core.Storage;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Crash;

/// <summary>
/// Where the crashed server keeps its data: a data directory (filesystem + SQLite), or a fresh key prefix and schema on the
/// test engines (S3 + PostgreSQL). Gives the WHARF_… variables for <c>wharf serve</c> and <c>wharf check</c>, and a driver
/// of its own to look at what storage holds behind the server's back.
/// </summary>
internal sealed class CrashBackend : IAsyncDisposable
{
    private readonly ScaleOutBackend? _scaleOut;

    private CrashBackend(string name, string dataDirectory, ScaleOutBackend? scaleOut, Dictionary<string, string> environment, IStorageDriver storage)
    {
        Name = name;
        DataDirectory = dataDirectory;
        _scaleOut = scaleOut;
        Environment = environment;
        Storage = storage;
    }

    public string Name { get; }

    public string DataDirectory { get; }

    /// <summary>The drivers' settings as WHARF_… variables.</summary>
    public Dictionary<string, string> Environment { get; }

    public IStorageDriver Storage { get; }

    public static async Task<CrashBackend> CreateAsync(bool scaleOut)
    {
        var data = Directory.CreateTempSubdirectory("wharf-crash-").FullName;
        if (!scaleOut)
        {
            return new CrashBackend("filesystem + SQLite", data, null, new Dictionary<string, string> { ["WHARF_STORAGE__DRIVER"] = "FileSystem", ["WHARF_METADATA__DRIVER"] = "Sqlite" }, new FileSystemDriver(data));
        }

        var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Blobs:Delivery"] = "Proxy";
        var environment = settings.ToDictionary(kv => "WHARF_" + kv.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), kv => kv.Value!);
        var storage = new S3Driver(
            new S3StorageOptions
            {
                Endpoint = TestEngines.S3Endpoint,
                Bucket = ScaleOutBackend.Bucket,
                AccessKey = TestEngines.S3AccessKey,
                SecretKey = TestEngines.S3SecretKey,
                Prefix = backend.Name,
            },
            TimeProvider.System);
        return new CrashBackend("S3 + PostgreSQL", data, backend, environment, storage);
    }

    /// <summary>Names under uploads/: bytes of uploads in progress or abandoned.</summary>
    public async Task<List<string>> UploadLeftoversAsync() => await Storage.ListAsync(StorageLayout.UploadsRoot, CancellationToken.None).ToListAsync();

    /// <summary>Every blob storage holds under blobs/, as (digest, the digest of its bytes).</summary>
    /// <remarks>On the filesystem, small blobs kept in the SQLite file (docs/design/storage.md) are read from there; call it with the server stopped.</remarks>
    public async Task<List<(string Digest, string Actual)>> StoredBlobsAsync()
    {
        using var database = _scaleOut is null ? new SqliteDatabase(Path.Combine(DataDirectory, "wharf.db")) : null;
        var storage = database is null ? Storage : new InlineBlobStorage(Storage, new SqliteInlineBlobStore(database), 64 * 1024, TimeProvider.System);
        var blobs = new List<(string, string)>();
        await foreach (var algorithm in storage.ListAsync(StorageLayout.BlobsRoot, CancellationToken.None))
        {
            await foreach (var fanout in storage.ListAsync($"{StorageLayout.BlobsRoot}/{algorithm}", CancellationToken.None))
            {
                await foreach (var encoded in storage.ListAsync($"{StorageLayout.BlobsRoot}/{algorithm}/{fanout}", CancellationToken.None))
                {
                    var path = $"{StorageLayout.BlobsRoot}/{algorithm}/{fanout}/{encoded}";
                    await using var stream = await storage.OpenReadAsync(path, 0, CancellationToken.None);
                    var actual = stream is null ? "gone" : "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
                    blobs.Add(($"{algorithm}:{encoded}", actual));
                }
            }
        }

        return blobs;
    }

    public async ValueTask DisposeAsync()
    {
        (Storage as IDisposable)?.Dispose();
        if (_scaleOut is not null)
        {
            await _scaleOut.DisposeAsync();
        }

        Directory.Delete(DataDirectory, recursive: true);
    }
}
