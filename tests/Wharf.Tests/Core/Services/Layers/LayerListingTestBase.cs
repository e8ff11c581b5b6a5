using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Layers;
using Wharf.Core.Storage;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Services.Layers;

/// <summary>
/// A fresh SQLite store and a filesystem driver read forward-only (as on S3), through a
/// <see cref="CountingStorageDriver"/>, for each test of the layer file browser.
/// </summary>
public abstract class LayerListingTestBase(string tempPrefix) : IAsyncLifetime
{
    protected const string Repository = "team/app";
    private SqliteDatabase? _database;
    private CountingStorageDriver? _storage;

    protected TempDirectory Temp { get; } = new(tempPrefix);

    protected CountingStorageDriver Storage => _storage!;

    protected IBlobIndex Blobs => new SqlBlobIndex(_database!, TimeProvider.System);

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(Temp.Path, "wharf.db"));
        await _database.MigrateAsync(CancellationToken.None);
        _storage = new CountingStorageDriver(new FileSystemDriver(Path.Combine(Temp.Path, "data")));
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        Temp.Dispose();
        return Task.CompletedTask;
    }

    protected LayerListingService Service(LayerBrowserOptions? options = null) =>
        new(Blobs, new SqlManifestReader(_database!), Storage, options ?? new LayerBrowserOptions(), TimeProvider.System, NullLogger<LayerListingService>.Instance);

    /// <summary>Stores <paramref name="blob"/> and makes it visible in <see cref="Repository"/>.</summary>
    protected async Task<Digest> StoreAsync(byte[] blob)
    {
        var digest = Digest.Compute(blob);
        await using (var writer = await Storage.OpenWriterAsync(StorageLayout.Blob(digest), 0, CancellationToken.None))
        {
            await writer.WriteAsync(blob, CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        await Blobs.LinkAsync(Repository, new BlobInfo(digest, blob.Length), null, CancellationToken.None);
        return digest;
    }

    /// <summary>Gzip at the fastest level (the tests build large archives).</summary>
    protected static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }
}
