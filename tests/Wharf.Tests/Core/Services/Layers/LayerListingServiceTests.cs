using System.Formats.Tar;
using System.Text;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Layers;
using Wharf.Core.Storage;

namespace Wharf.Tests.Core.Services.Layers;

/// <summary>The layer file browser over a real filesystem driver (read forward-only, as on S3) and a real SQLite store.</summary>
public sealed class LayerListingServiceTests() : LayerListingTestBase("wharf-layers")
{
    [Fact]
    public async Task Concurrent_first_requests_read_the_blob_once_and_later_ones_not_at_all()
    {
        var digest = await StoreAsync(Gzip(Tar(Files(directories: 10, filesEach: 50))));
        using var service = Service();

        var pages = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => service.GetPageAsync(Repository, digest, null, 1 + (i % 4), 100, CancellationToken.None).AsTask()));

        Assert.All(pages, p => Assert.Equal(510, p.Value.Total));
        Assert.Equal(1, Storage.Opens(StorageLayout.Blob(digest)));
        Assert.Empty(await ListAsync(StorageLayout.ListingsRoot + "/partial"));

        Storage.Reset();
        var again = await service.GetPageAsync(Repository, digest, "d003", 1, 100, CancellationToken.None);
        Assert.Equal(50, again.Value.Total);
        Assert.Equal(0, Storage.Opens(StorageLayout.Blob(digest)));
    }

    [Fact]
    public async Task A_listing_of_100k_entries_is_paged_reading_only_a_sliver_of_the_cache_per_page()
    {
        var digest = await StoreAsync(Gzip(Tar(Files(directories: 100, filesEach: 999))));
        using var service = Service();
        var first = await service.GetPageAsync(Repository, digest, null, 1, 5000, CancellationToken.None);
        Assert.Equal(100_000, first.Value.Total);
        Assert.Equal(5000, first.Value.Entries.Count);
        Assert.False(first.Value.Truncated);

        var cache = service.CachePath(digest);
        var cacheSize = (await Storage.StatAsync(cache, CancellationToken.None))!.Value.Size;
        Storage.Reset();
        var middle = await service.GetPageAsync(Repository, digest, null, 11, 100, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => ExpectedPath(1000 + i)), middle.Value.Entries.Select(e => e.Path));
        Assert.True(Storage.BytesRead(cache) < cacheSize / 10, $"read {Storage.BytesRead(cache)} of {cacheSize} bytes for one page");

        var last = await service.GetPageAsync(Repository, digest, null, 20, 5000, CancellationToken.None);
        Assert.Equal(ExpectedPath(99_999), last.Value.Entries[^1].Path);
        Assert.Empty((await service.GetPageAsync(Repository, digest, null, 21, 5000, CancellationToken.None)).Value.Entries);

        var directory = await service.GetPageAsync(Repository, digest, "d077/", 2, 500, CancellationToken.None);
        Assert.Equal(999, directory.Value.Total);
        Assert.Equal(499, directory.Value.Entries.Count);
        Assert.Equal("d077/f0500", directory.Value.Entries[0].Path);
        Assert.Equal("d077/f0998", directory.Value.Entries[^1].Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("d000")]
    [InlineData("d002/f0001")]
    [InlineData("d004")]
    [InlineData("zzz")]
    public async Task Directory_bounds_hold_at_block_edges(string prefix)
    {
        // 5 directories of 255 files: 1280 entries, so directories start and end inside and on the 256-entry blocks.
        var files = Files(directories: 5, filesEach: 255);
        var digest = await StoreAsync(Gzip(Tar(files)));
        using var service = Service();

        var page = await service.GetPageAsync(Repository, digest, prefix, 1, 5000, CancellationToken.None);

        var all = files.Select(f => f.Path.TrimEnd('/')).Order(StringComparer.Ordinal).ToList();
        var expected = prefix.Length == 0 ? all : all.Where(p => p.StartsWith(prefix + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, page.Value.Entries.Select(e => e.Path));
        Assert.Equal(expected.Count, page.Value.Total);
    }

    [Fact]
    public async Task Reaching_the_entry_limit_truncates_the_listing()
    {
        var digest = await StoreAsync(Gzip(Tar(Files(directories: 1, filesEach: 50))));
        using var service = Service(new LayerBrowserOptions { MaxEntries = 10 });

        var page = await service.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None);

        Assert.True(page.Value.Truncated);
        Assert.Equal(10, page.Value.Total);
    }

    [Fact]
    public async Task A_decompression_bomb_stops_at_the_uncompressed_budget()
    {
        var bomb = new List<(string, byte[])> { ("a-first", [1, 2, 3]), ("b-zeros", new byte[8 << 20]), ("c-after", [4]) };
        var compressed = Gzip(Tar(bomb));
        Assert.True(compressed.Length < (8 << 20) / 100, $"{compressed.Length} compressed bytes");
        var digest = await StoreAsync(compressed);
        using var service = Service(new LayerBrowserOptions { MaxUncompressedBytes = 1 << 20 });

        var page = await service.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None);

        Assert.True(page.Value.Truncated);
        Assert.Equal(["a-first", "b-zeros"], page.Value.Entries.Select(e => e.Path));
        Assert.Equal(8 << 20, page.Value.Entries[1].Size);
    }

    [Fact]
    public async Task A_cut_off_archive_lists_what_came_before_the_cut()
    {
        var whole = Tar(Files(directories: 2, filesEach: 20));
        var digest = await StoreAsync(Gzip(whole[..(whole.Length / 2)]));
        using var service = Service();

        var page = await service.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None);

        Assert.True(page.Value.Truncated);
        Assert.InRange(page.Value.Total, 5, 41);
    }

    [Fact]
    public async Task Blobs_that_are_no_tar_archive_or_use_an_unread_compression_are_refused()
    {
        using var service = Service();
        var json = await StoreAsync(Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"""));
        var xz = await StoreAsync([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2, 3]);
        var unknown = Digest.Compute(Encoding.UTF8.GetBytes("never stored"));

        Assert.Equal(ErrorCode.ApiRequestInvalid, (await service.GetPageAsync(Repository, json, null, 1, 10, CancellationToken.None)).Error!.Code);
        Assert.Contains("xz", (await service.GetPageAsync(Repository, xz, null, 1, 10, CancellationToken.None)).Error!.EffectiveMessage, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.BlobUnknown, (await service.GetPageAsync(Repository, unknown, null, 1, 10, CancellationToken.None)).Error!.Code);
        Assert.Equal(ErrorCode.NameUnknown, (await service.GetPageAsync("team/none", json, null, 1, 10, CancellationToken.None)).Error!.Code);
    }

    [Fact]
    public async Task Empty_and_plain_layers_list()
    {
        using var service = Service();
        var empty = await StoreAsync(Gzip(new byte[1024]));
        var plain = await StoreAsync(Tar([("only", [1])]));

        Assert.Equal(0, (await service.GetPageAsync(Repository, empty, null, 1, 10, CancellationToken.None)).Value.Total);
        Assert.Equal(["only"], (await service.GetPageAsync(Repository, plain, null, 1, 10, CancellationToken.None)).Value.Entries.Select(e => e.Path));
    }

    [Fact]
    public async Task A_damaged_cache_file_is_built_again()
    {
        var digest = await StoreAsync(Gzip(Tar(Files(directories: 3, filesEach: 100))));
        using var service = Service();
        var before = await service.GetPageAsync(Repository, digest, null, 3, 150, CancellationToken.None);
        var beforeChildren = await service.GetChildrenAsync(Repository, digest, "d002", 1, 100, CancellationToken.None);
        var cache = Path.Combine(Temp.Path, "data", service.CachePath(digest));
        var bytes = await File.ReadAllBytesAsync(cache);

        // Cut inside the path-ordered records (the first half or so), then inside the children section (the rest).
        await File.WriteAllBytesAsync(cache, bytes[..(bytes.Length * 2 / 5)]);
        var after = await service.GetPageAsync(Repository, digest, null, 3, 150, CancellationToken.None);
        Assert.Equal(before.Value.Entries, after.Value.Entries);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(cache));

        await File.WriteAllBytesAsync(cache, bytes[..(bytes.Length - 3000)]);
        var afterChildren = await service.GetChildrenAsync(Repository, digest, "d002", 1, 100, CancellationToken.None);
        Assert.Equal(beforeChildren.Value.Entries, afterChildren.Value.Entries);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(cache));
    }

    [Fact]
    public async Task Other_limits_use_another_cache_entry()
    {
        var digest = await StoreAsync(Gzip(Tar(Files(directories: 1, filesEach: 30))));
        using var narrow = Service(new LayerBrowserOptions { MaxEntries = 5 });
        using var wide = Service();

        Assert.NotEqual(narrow.CachePath(digest), wide.CachePath(digest));
        Assert.True((await narrow.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None)).Value.Truncated);
        Assert.Equal(31, (await wide.GetPageAsync(Repository, digest, null, 1, 100, CancellationToken.None)).Value.Total);
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Storage.ListAsync(prefix, CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }

    /// <summary>The path of the <paramref name="index"/>-th entry (in path order) of <c>Files(100, 999)</c>.</summary>
    private static string ExpectedPath(int index) => index % 1000 == 0 ? $"d{index / 1000:D3}" : $"d{index / 1000:D3}/f{index % 1000 - 1:D4}";

    /// <summary>Directories d000… each followed by its empty files f0000…, listed in reverse so the listing must sort them.</summary>
    private static List<(string Path, byte[] Content)> Files(int directories, int filesEach)
    {
        var files = new List<(string, byte[])>();
        for (var d = directories - 1; d >= 0; d--)
        {
            files.Add(($"d{d:D3}/", []));
            for (var f = filesEach - 1; f >= 0; f--)
            {
                files.Add(($"d{d:D3}/f{f:D4}", []));
            }
        }

        return files;
    }

    private static byte[] Tar(IEnumerable<(string Path, byte[] Content)> entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (path, content) in entries)
            {
                var directory = path.EndsWith('/');
                var entry = new GnuTarEntry(directory ? TarEntryType.Directory : TarEntryType.RegularFile, path);
                if (!directory && content.Length > 0)
                {
                    entry.DataStream = new MemoryStream(content);
                }

                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }
}
