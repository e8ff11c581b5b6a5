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

    /// <summary>
    /// A kill between a publish's link and its unlink leaves the upload's name on the blob's file; the client then sends
    /// the unanswered commit again, which writes the upload from its recorded offset. The blob must not change.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Writing_a_name_that_shares_its_file_with_another_leaves_the_other_untouched(long offset)
    {
        await PutAsync("blobs/sha256/ab/abcd", Bytes("published"));
        Directory.CreateDirectory(Path.Combine(Root, "uploads"));
        Use("uploads/u1");
        Assert.True(HardLink.TryCreate(Path.Combine(Root, "blobs", "sha256", "ab", "abcd"), Path.Combine(Root, "uploads", "u1")));

        await using (var writer = await Driver.OpenWriterAsync("uploads/u1", offset, None))
        {
            await writer.WriteAsync(Bytes("REWRITTEN"), None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(Bytes("published"), await ReadAllAsync(Driver, "blobs/sha256/ab/abcd"));
        Assert.Equal(Bytes("published"[..(int)offset] + "REWRITTEN"), await ReadAllAsync(Driver, "uploads/u1"));
        Assert.Equal(["blobs/sha256/ab/abcd", "uploads/u1"], AllObjects()!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_writer_killed_after_truncating_a_shared_name_has_not_touched_the_other()
    {
        await PutAsync("blobs/sha256/ab/abcd", Bytes("published"));
        Directory.CreateDirectory(Path.Combine(Root, "uploads"));
        Use("uploads/u1");
        Assert.True(HardLink.TryCreate(Path.Combine(Root, "blobs", "sha256", "ab", "abcd"), Path.Combine(Root, "uploads", "u1")));

        // Opened at 0 and never written: what a kill right after the open leaves.
        await (await Driver.OpenWriterAsync("uploads/u1", 0, None)).DisposeAsync();

        Assert.Equal(Bytes("published"), await ReadAllAsync(Driver, "blobs/sha256/ab/abcd"));
        Assert.Empty(await ReadAllAsync(Driver, "uploads/u1"));
    }

    private static async Task<byte[]> ReadAllAsync(IStorageDriver driver, string path)
    {
        await using var stream = (await driver.OpenReadAsync(path, 0, None))!;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
