using Wharf.Core.Storage;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.Inline;

/// <summary>The whole storage contract through the small-blob decorator: keeping small blobs in SQLite changes nothing a caller of the driver sees.</summary>
public sealed class InlineBlobStorageContractTests : StorageDriverContract
{
    private TempDirectory? _temp;
    private SqliteDatabase? _database;

    private string Root => Path.Combine(_temp!.Path, "root");

    protected override async Task<IStorageDriver> CreateDriverAsync()
    {
        _temp = new TempDirectory("wharf-inline-contract");
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(None);
        return new InlineBlobStorage(new FileSystemDriver(Root), new SqliteInlineBlobStore(_database), 64 * 1024, TimeProvider.System);
    }

    protected override Task DestroyDriverAsync()
    {
        _database?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }

    protected override IReadOnlyCollection<string>? AllObjects() =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))];
}
