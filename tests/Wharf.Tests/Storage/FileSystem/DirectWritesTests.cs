using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.FileSystem;

/// <summary>
/// Direct writes (<c>Storage:FileSystem:DirectWrites</c>): a large body reaches the file without filling the page cache,
/// and every way an upload is written, continued or left off keeps its bytes exact.
/// </summary>
public sealed partial class DirectWritesTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly TempDirectory _temp = new("wharf-direct");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_large_body_written_direct_leaves_the_page_cache_alone_and_one_written_buffered_fills_it()
    {
        var content = RandomNumberGenerator.GetBytes((16 * MiB) + 1000);

        var direct = await WriteAsync(new FileSystemDriver(Path.Combine(_temp.Path, "direct"), directWrites: true), "blobs/a", content, MiB);
        var buffered = await WriteAsync(new FileSystemDriver(Path.Combine(_temp.Path, "buffered")), "blobs/a", content, MiB);

        Assert.True(ResidentBytes(buffered) >= 15 * MiB, $"the buffered write left {ResidentBytes(buffered)} bytes cached (the check is broken if not most of them)");
        Assert.True(ResidentBytes(direct) <= 64 * 1024, $"the direct write left {ResidentBytes(direct)} bytes in the page cache");
        Assert.Equal(content, await File.ReadAllBytesAsync(direct));
    }

    [Theory]
    [InlineData(4 * MiB)] // continued on a 4 KiB boundary: direct again
    [InlineData((4 * MiB) + 3)] // continued mid-block: through the page cache
    public async Task An_upload_continued_at_any_offset_keeps_every_byte(int firstPart)
    {
        var content = RandomNumberGenerator.GetBytes((9 * MiB) + 5);
        var driver = new FileSystemDriver(Path.Combine(_temp.Path, "root"), directWrites: true);
        await using (var writer = await driver.OpenWriterAsync("uploads/u", 0, CancellationToken.None))
        {
            await writer.WriteAsync(content.AsMemory(0, firstPart), CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        await using (var writer = await driver.OpenWriterAsync("uploads/u", firstPart, CancellationToken.None))
        {
            for (var offset = firstPart; offset < content.Length; offset += 700 * 1024)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(700 * 1024, content.Length - offset)), CancellationToken.None);
            }

            Assert.Equal(content.Length, writer.Size);
            await writer.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_temp.Path, "root", "uploads", "u")));
    }

    [Fact]
    public async Task A_writer_disposed_without_a_commit_leaves_its_staged_bytes_for_the_next_one()
    {
        var content = RandomNumberGenerator.GetBytes((3 * MiB) + 123);
        var driver = new FileSystemDriver(Path.Combine(_temp.Path, "root"), directWrites: true);
        await using (var writer = await driver.OpenWriterAsync("uploads/u", 0, CancellationToken.None))
        {
            await writer.WriteAsync(content, CancellationToken.None);
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_temp.Path, "root", "uploads", "u")));
    }

    private static async Task<string> WriteAsync(FileSystemDriver driver, string path, byte[] content, int block)
    {
        await using (var writer = await driver.OpenWriterAsync(path, 0, CancellationToken.None))
        {
            for (var offset = 0; offset < content.Length; offset += block)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(block, content.Length - offset)), CancellationToken.None);
            }

            await writer.CommitAsync(CancellationToken.None);
        }

        return driver.LocalFilePath(path)!;
    }

    /// <summary>How many of the file's bytes are in the page cache (mincore over a mapping, which faults nothing in).</summary>
    private static long ResidentBytes(string path)
    {
        var length = new FileInfo(path).Length;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var page = Environment.SystemPageSize;
        var pages = new byte[(length + page - 1) / page];
        var address = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset;
        Assert.Equal(0, MinCore(address, (nuint)length, pages));
        return pages.LongCount(p => (p & 1) != 0) * page;
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(nint address, nuint length, [Out] byte[] residency);
}
