using Wharf.Core.Storage;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.FileSystem;

public sealed class FileSystemDriverTests : StorageDriverContract
{
    private TempDirectory? _temp;

    private string Root => Path.Combine(_temp!.Path, "root");

    protected override Task<IStorageDriver> CreateDriverAsync()
    {
        _temp = new TempDirectory("wharf-fs");
        return Task.FromResult<IStorageDriver>(new FileSystemDriver(Root));
    }

    protected override Task DestroyDriverAsync()
    {
        _temp?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Files under the root, plus anything beside the root in the temp directory (an escape).</summary>
    protected override IReadOnlyCollection<string>? AllObjects()
    {
        var inside = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'));
        var beside = Directory.EnumerateFileSystemEntries(_temp!.Path)
            .Where(e => Path.GetFileName(e) != "root")
            .Select(e => "../" + Path.GetFileName(e));
        return [.. inside, .. beside];
    }

    [Fact]
    public void Creating_the_driver_creates_its_root() => Assert.True(Directory.Exists(Root));

    [Fact]
    public void Local_file_path_is_the_file_under_the_root()
    {
        var local = Driver.LocalFilePath("blobs/sha256/ab/abcd");
        Assert.Equal(Path.Combine(Root, "blobs", "sha256", "ab", "abcd"), local);
    }

    [Fact]
    public async Task Objects_are_plain_files_under_the_root()
    {
        await PutAsync("blobs/sha256/ab/abcd", Bytes("file"));
        Assert.Equal(Bytes("file"), await File.ReadAllBytesAsync(Path.Combine(Root, "blobs", "sha256", "ab", "abcd")));
    }

    [Fact]
    public async Task Driver_over_an_existing_root_sees_its_objects()
    {
        await PutAsync("blobs/kept", Bytes("persisted"));
        var reopened = new FileSystemDriver(Root);
        Assert.Equal(Bytes("persisted"), await ReadAllAsync(reopened, "blobs/kept"));
    }

    [Fact]
    public async Task Read_of_a_directory_is_null()
    {
        await PutAsync("blobs/sha256/ab/abcd", Bytes("file"));
        Assert.Null(await Driver.OpenReadAsync("blobs/sha256", 0, None));
    }

    private static async Task<byte[]> ReadAllAsync(IStorageDriver driver, string path)
    {
        await using var stream = (await driver.OpenReadAsync(path, 0, None))!;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
