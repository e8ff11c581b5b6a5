using Wharf.Core.Storage;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.FileSystem;

/// <summary>The whole driver contract with <c>Storage:FileSystem:DirectWrites</c> on.</summary>
public sealed class DirectFileSystemDriverTests : StorageDriverContract
{
    private TempDirectory? _temp;

    protected override Task<IStorageDriver> CreateDriverAsync()
    {
        _temp = new TempDirectory("wharf-fs-direct");
        return Task.FromResult<IStorageDriver>(new FileSystemDriver(Path.Combine(_temp.Path, "root"), directWrites: true));
    }

    protected override Task DestroyDriverAsync()
    {
        _temp?.Dispose();
        return Task.CompletedTask;
    }
}
