using System.Formats.Tar;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Layers;

namespace Wharf.Tests.Core.Services.Layers;

/// <summary>The direct children of a directory (<see cref="LayerListingService.GetChildrenAsync"/>), over a real filesystem driver read forward-only.</summary>
public sealed class LayerChildrenTests() : LayerListingTestBase("wharf-children")
{
    [Fact]
    public async Task Children_include_directories_the_archive_only_implies()
    {
        var digest = await StoreAsync(Tar(
            ("./", TarEntryType.Directory),
            ("./etc/", TarEntryType.Directory),
            ("./etc/passwd", TarEntryType.RegularFile),
            ("./usr/lib/x/libz.so", TarEntryType.RegularFile),
            ("./usr/lib/y", TarEntryType.RegularFile),
            ("./bin", TarEntryType.SymbolicLink),
            ("./usr/bin/sh", TarEntryType.RegularFile),
            ("./.wh.gone", TarEntryType.RegularFile)));
        using var service = Service();

        var root = (await service.GetChildrenAsync(Repository, digest, null, 1, 100, CancellationToken.None)).Value;

        Assert.Equal("", root.Path);
        Assert.Equal(4, root.Total);
        Assert.Equal(["etc", "usr", ".wh.gone", "bin"], root.Entries.Select(e => e.Name));
        Assert.Equal([LayerEntryType.Dir, LayerEntryType.Dir, LayerEntryType.Whiteout, LayerEntryType.Symlink], root.Entries.Select(e => e.Type));
        var etc = root.Entries[0];
        Assert.False(etc.Implied);
        Assert.Equal(1, etc.Descendants);
        Assert.Equal("drwxr-xr-x", etc.Mode);
        var usr = root.Entries[1];
        Assert.True(usr.Implied);
        Assert.Equal("usr", usr.Path);
        Assert.Equal(3, usr.Descendants);
        Assert.Null(usr.Mode);
        Assert.Null(usr.Modified);
        Assert.Null(root.Entries[3].Descendants);

        var usrChildren = (await service.GetChildrenAsync(Repository, digest, "/usr/", 1, 100, CancellationToken.None)).Value;
        Assert.Equal("usr", usrChildren.Path);
        Assert.Equal(["usr/bin", "usr/lib"], usrChildren.Entries.Select(e => e.Path));
        Assert.All(usrChildren.Entries, e => Assert.True(e.Implied));
        Assert.Equal([1L, 2L], usrChildren.Entries.Select(e => e.Descendants ?? -1));
        Assert.Equal(["x", "y"], (await service.GetChildrenAsync(Repository, digest, "usr/lib", 1, 100, CancellationToken.None)).Value.Entries.Select(e => e.Name));
        Assert.Equal(0, (await service.GetChildrenAsync(Repository, digest, "etc/passwd", 1, 100, CancellationToken.None)).Value.Total);
        Assert.Equal(0, (await service.GetChildrenAsync(Repository, digest, "nothing", 1, 100, CancellationToken.None)).Value.Total);
        Assert.Equal(4, (await service.GetChildrenAsync(Repository, digest, "./", 1, 100, CancellationToken.None)).Value.Total);
    }

    [Fact]
    public async Task A_path_listed_as_a_file_with_entries_below_it_is_also_a_directory_so_they_can_be_reached()
    {
        var digest = await StoreAsync(Tar(("opt", TarEntryType.RegularFile), ("opt/a", TarEntryType.RegularFile), ("opt//b/c", TarEntryType.RegularFile)));
        using var service = Service();

        var root = (await service.GetChildrenAsync(Repository, digest, null, 1, 100, CancellationToken.None)).Value;
        Assert.Equal([(LayerEntryType.Dir, true), (LayerEntryType.File, false)], root.Entries.Select(e => (e.Type, e.Implied)));
        Assert.All(root.Entries, e => Assert.Equal("opt", e.Path));

        // Repeated slashes are collapsed, so "opt//b/c" is c in opt/b.
        var opt = (await service.GetChildrenAsync(Repository, digest, "opt", 1, 100, CancellationToken.None)).Value;
        Assert.Equal(["opt/b", "opt/a"], opt.Entries.Select(e => e.Path));
        Assert.Equal(["opt/b/c"], (await service.GetChildrenAsync(Repository, digest, "opt/b", 1, 100, CancellationToken.None)).Value.Entries.Select(e => e.Path));
    }

    [Fact]
    public async Task A_directory_of_thousands_beside_a_deep_subtree_pages_by_direct_children_and_reads_only_their_run()
    {
        var entries = new List<(string, TarEntryType)> { ("a-first", TarEntryType.RegularFile), ("big/", TarEntryType.Directory) };
        entries.AddRange(Enumerable.Range(0, 3000).Reverse().Select(i => ($"big/f{i:D4}", TarEntryType.RegularFile)));
        var deep = "deep";
        entries.Add(("deep/", TarEntryType.Directory));
        for (var level = 0; level < 40; level++)
        {
            deep += $"/l{level:D3}";
            entries.Add((deep + "/", TarEntryType.Directory));
            entries.AddRange(Enumerable.Range(0, 500).Select(i => ($"{deep}/file{i:D3}", TarEntryType.RegularFile)));
        }

        var digest = await StoreAsync(Gzip(Tar([.. entries])));
        using var service = Service();

        var root = (await service.GetChildrenAsync(Repository, digest, null, 1, 10, CancellationToken.None)).Value;
        Assert.Equal(["big", "deep", "a-first"], root.Entries.Select(e => e.Name));
        Assert.Equal([3000L, 40 * 501], root.Entries.Take(2).Select(e => e.Descendants ?? -1));

        var names = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var children = (await service.GetChildrenAsync(Repository, digest, "big", page, 1000, CancellationToken.None)).Value;
            Assert.Equal(3000, children.Total);
            Assert.Equal(page <= 3 ? 1000 : 0, children.Entries.Count);
            names.AddRange(children.Entries.Select(e => e.Name));
        }

        Assert.Equal(Enumerable.Range(0, 3000).Select(i => $"f{i:D4}"), names);

        // "deep" has one child above a subtree of 20,040 entries: only the header, the block indexes and the block
        // holding that child are read, not the subtree.
        var cache = service.CachePath(digest);
        var cacheSize = (await Storage.StatAsync(cache, CancellationToken.None))!.Value.Size;
        Storage.Reset();
        var deepChildren = (await service.GetChildrenAsync(Repository, digest, "deep", 1, 100, CancellationToken.None)).Value;
        Assert.Equal(["deep/l000"], deepChildren.Entries.Select(e => e.Path));
        Assert.True(Storage.BytesRead(cache) < cacheSize / 8, $"read {Storage.BytesRead(cache)} of {cacheSize} bytes for one child");

        var innermost = (await service.GetChildrenAsync(Repository, digest, deep, 1, 100, CancellationToken.None)).Value;
        Assert.Equal(500, innermost.Total);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"file{i:D3}"), innermost.Entries.Select(e => e.Name));
        var middle = (await service.GetChildrenAsync(Repository, digest, "deep/l000/l001", 1, 100, CancellationToken.None)).Value;
        Assert.Equal(501, middle.Total);
        Assert.Equal("l002", middle.Entries[0].Name);
        Assert.Equal((38 * 501) - 1, middle.Entries[0].Descendants); // l002's files and the 37 levels below it
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public async Task Children_ranges_hold_at_block_edges(int perPage)
    {
        // Directories of 255, 256, 1, 257 and 511 files, with and without directory entries: runs of children start
        // and end inside and on the 256-record blocks.
        var sizes = new[] { 255, 256, 1, 257, 511 };
        var entries = new List<(string, TarEntryType)>();
        for (var d = 0; d < sizes.Length; d++)
        {
            if (d % 2 == 0)
            {
                entries.Add(($"d{d}/", TarEntryType.Directory));
            }

            entries.AddRange(Enumerable.Range(0, sizes[d]).Select(f => ($"d{d}/f{f:D3}", TarEntryType.RegularFile)));
        }

        var digest = await StoreAsync(Gzip(Tar([.. entries])));
        using var service = Service();

        Assert.Equal(Enumerable.Range(0, sizes.Length).Select(d => $"d{d}"), await AllChildrenAsync(service, digest, null, perPage));
        for (var d = 0; d < sizes.Length; d++)
        {
            Assert.Equal(Enumerable.Range(0, sizes[d]).Select(f => $"d{d}/f{f:D3}"), await AllChildrenAsync(service, digest, $"d{d}", perPage));
        }
    }

    [Fact]
    public async Task The_cache_key_names_the_listing_format()
    {
        using var service = Service();
        Assert.Contains("/v2-", service.CachePath(Digest.Compute([1])), StringComparison.Ordinal);
    }

    private static async Task<List<string>> AllChildrenAsync(LayerListingService service, Digest digest, string? directory, int perPage)
    {
        var paths = new List<string>();
        for (var page = 1; ; page++)
        {
            var children = (await service.GetChildrenAsync(Repository, digest, directory, page, perPage, CancellationToken.None)).Value;
            paths.AddRange(children.Entries.Select(e => e.Path));
            if (children.Entries.Count == 0 || paths.Count >= children.Total)
            {
                Assert.Equal(children.Total, paths.Count);
                return paths;
            }
        }
    }

    private static byte[] Tar(params (string Path, TarEntryType Type)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, type) in entries)
            {
                var entry = new PaxTarEntry(type, path);
                if (type == TarEntryType.SymbolicLink)
                {
                    entry.LinkName = "usr/bin";
                }

                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }
}
