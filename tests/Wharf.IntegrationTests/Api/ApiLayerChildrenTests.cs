using System.Net;
using System.Text.Json;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>
/// <c>GET /api/files/{name}?digest=&amp;path=&amp;children=true</c>: the direct children of a directory, paged over
/// them, checked against what GNU tar's <c>tar -tzvf</c> says of the same blob.
/// </summary>
public sealed class ApiLayerChildrenTests
{
    private const int PerPage = 1000;

    [Fact]
    public async Task Every_directory_lists_its_direct_children_as_tar_tv_implies_them()
    {
        using var temp = new TempDirectory("wharf-children");
        var root = temp.CreateSubdirectory("root");
        await GnuTarLayers.FillAsync(root);
        Directory.CreateDirectory(Path.Combine(root, "big"));
        for (var i = 2999; i >= 0; i--)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "big", $"f{i:D4}"), i % 7 == 0 ? new string('x', i) : "");
        }

        var deep = Path.Combine(root, "deep");
        for (var level = 0; level < 10; level++)
        {
            deep = Path.Combine(deep, $"d{level}");
            Directory.CreateDirectory(deep);
            for (var i = 0; i < 260; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(deep, $"file{i:D3}"), "");
            }
        }

        Directory.CreateDirectory(Path.Combine(root, "implied", "x", "y"));
        await File.WriteAllTextAsync(Path.Combine(root, "implied", "x", "y", "z.txt"), "z");
        await File.WriteAllTextAsync(Path.Combine(root, "implied", "x", "w.txt"), "w");
        await File.WriteAllTextAsync(Path.Combine(root, "implied", "top.txt"), "top");

        // The archive lists the root and everything but implied/, implied/x/ and implied/x/y/: tar -tv shows only
        // their files, and the browser must still show those directories.
        var unlisted = new HashSet<string>(["implied", "implied/x", "implied/x/y"], StringComparer.Ordinal);
        var paths = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !unlisted.Contains(p))
            .Order(StringComparer.Ordinal)
            .Prepend(".");
        var archive = temp.Combine("layer.tgz");
        var layer = await GnuTarLayers.ArchivePathsAsync(root, archive, paths, "-z");
        var lines = (await GnuTarLayers.ListAsync(archive, "-z")).Where(l => l.Path != ".").ToList();
        Assert.True(lines.Count > 5000, $"{lines.Count} entries");
        Assert.DoesNotContain(lines, l => l.Path is "implied" or "implied/x" or "implied/x/y");
        var expected = new ExpectedTree(lines);

        await using var server = await WharfTestServer.StartAsync();
        var digest = await ApiLayerFilesTests.PushLayerImageAsync(new Registry(server), "team/tree", layer, MediaTypes.OciLayerGzip);

        var reached = 0;
        foreach (var directory in expected.Directories)
        {
            var children = await ChildrenAsync(server, digest, directory);
            var want = expected.ChildrenOf(directory);
            Assert.True(want.Select(c => c.Name).SequenceEqual(children.Select(c => c.GetProperty("name").GetString())),
                $"/{directory}: [{string.Join(", ", children.Take(20).Select(c => c.GetProperty("name").GetString()))}…] is not [{string.Join(", ", want.Take(20).Select(c => c.Name))}…]");
            foreach (var (child, entry) in want.Zip(children))
            {
                var what = $"/{directory}: {child.Name}";
                Assert.True(child.Path == entry.GetProperty("path").GetString(), what);
                Assert.True(child.Type == entry.GetProperty("type").GetString(), what);
                Assert.True((child.Line is null) == entry.GetProperty("implied").GetBoolean(), what);
                Assert.True(child.Descendants == (entry.GetProperty("descendants").ValueKind == JsonValueKind.Null ? null : entry.GetProperty("descendants").GetInt64()), what);
                if (child.Line is { } line)
                {
                    Assert.True(line.Mode == entry.GetProperty("mode").GetString(), $"{what}: mode {entry.GetProperty("mode")} is not {line.Mode}");
                    Assert.True(line.Size == entry.GetProperty("size").GetInt64(), what);
                    Assert.True(line.Uid == entry.GetProperty("uid").GetInt32() && line.Gid == entry.GetProperty("gid").GetInt32(), what);
                    Assert.True(line.Modified == entry.GetProperty("modified").GetDateTime().ToString("yyyy-MM-dd HH:mm"), what);
                    Assert.True(line.LinkTarget == (entry.GetProperty("linkTarget").ValueKind == JsonValueKind.Null ? null : entry.GetProperty("linkTarget").GetString()), what);
                }
                else
                {
                    Assert.Equal(JsonValueKind.Null, entry.GetProperty("mode").ValueKind);
                }

                reached += child.Line is null ? 0 : 1;
            }
        }

        // Walking the directories reaches every entry tar lists, each exactly once.
        Assert.Equal(lines.Count, reached);
        Assert.Equal(3000, expected.ChildrenOf("big").Count);
        Assert.Equal(["x", "top.txt"], expected.ChildrenOf("implied").Select(c => c.Name));
    }

    [Fact]
    public async Task Pages_of_a_large_directory_hold_only_its_direct_children()
    {
        var layer = ApiLayerFilesTests.ManyEntries(directories: 3, filesEach: 2500);
        await using var server = await WharfTestServer.StartAsync();
        var digest = await ApiLayerFilesTests.PushLayerImageAsync(new Registry(server), "team/big", layer, MediaTypes.OciLayerGzip);

        var root = await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&children=true");
        Assert.Equal("", root.GetProperty("path").GetString());
        Assert.Equal(3, root.GetProperty("total").GetInt64());
        Assert.Equal(["d000", "d001", "d002"], root.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.All(root.GetProperty("entries").EnumerateArray(), e => Assert.Equal(2500, e.GetProperty("descendants").GetInt64()));

        var second = await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&path=d001&children=true&page=2&perPage=1000");
        Assert.Equal("d001", second.GetProperty("path").GetString());
        Assert.Equal(2500, second.GetProperty("total").GetInt64());
        Assert.Equal(2, second.GetProperty("page").GetInt32());
        Assert.Equal(Enumerable.Range(1000, 1000).Select(i => $"d001/f{i:D4}"), second.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));

        Assert.Equal("UNSUPPORTED", (await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&children=yes", HttpStatusCode.BadRequest)).FirstErrorCode());
        var subtree = await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&children=false&perPage=10");
        Assert.Equal(3 + (3 * 2500), subtree.GetProperty("total").GetInt64());
    }

    /// <summary>Every direct child of <paramref name="directory"/>, page by page.</summary>
    private static async Task<List<JsonElement>> ChildrenAsync(WharfTestServer server, string digest, string directory)
    {
        var children = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var answer = await server.Client.JsonAsync($"/api/files/team/tree?digest={digest}&children=true&perPage={PerPage}&page={page}&path={Uri.EscapeDataString(directory)}");
            var entries = answer.GetProperty("entries").EnumerateArray().ToList();
            Assert.False(answer.GetProperty("truncated").GetBoolean());
            Assert.Equal(page, answer.GetProperty("page").GetInt32());
            Assert.True(entries.Count <= PerPage);
            children.AddRange(entries);
            var total = answer.GetProperty("total").GetInt64();
            if (children.Count >= total)
            {
                Assert.Equal(total, children.Count);
                Assert.Empty((await server.Client.JsonAsync($"/api/files/team/tree?digest={digest}&children=true&perPage={PerPage}&page={page + 1}&path={Uri.EscapeDataString(directory)}"))
                    .GetProperty("entries").EnumerateArray());
                return children;
            }

            Assert.Equal(PerPage, entries.Count);
        }
    }

    /// <summary>A directory's direct child as <c>tar -tv</c>'s lines imply it; <paramref name="Line"/> is null for a directory tar does not list.</summary>
    private sealed record ExpectedChild(string Path, string Name, string Type, long? Descendants, TarListingLine? Line);

    /// <summary>The tree <c>tar -tv</c>'s lines describe.</summary>
    private sealed class ExpectedTree(List<TarListingLine> lines)
    {
        /// <summary>The root ("") and every directory, listed or implied.</summary>
        public IEnumerable<string> Directories =>
            lines.SelectMany(l => Ancestors(l.Path)).Concat(lines.Where(l => l.Mode[0] == 'd').Select(l => l.Path)).Prepend("").Distinct().Order(StringComparer.Ordinal);

        public List<ExpectedChild> ChildrenOf(string directory)
        {
            var prefix = directory.Length == 0 ? "" : directory + "/";
            var below = lines.Where(l => l.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var explicitChildren = below.Where(l => !l.Path[prefix.Length..].Contains('/'))
                .Select(l => new ExpectedChild(l.Path, l.Path[prefix.Length..], GnuTarLayers.ExpectedType(l), l.Mode[0] == 'd' ? Count(l.Path) : null, l));
            var listedDirectories = below.Where(l => l.Mode[0] == 'd').Select(l => l.Path).ToHashSet(StringComparer.Ordinal);
            var impliedChildren = below.Where(l => l.Path[prefix.Length..].Contains('/'))
                .Select(l => prefix + l.Path[prefix.Length..].Split('/')[0])
                .Distinct()
                .Where(p => !listedDirectories.Contains(p))
                .Select(p => new ExpectedChild(p, p[prefix.Length..], "dir", Count(p), null));
            return [.. explicitChildren.Concat(impliedChildren)
                .OrderBy(c => c.Type == "dir" ? 0 : 1)
                .ThenBy(c => c.Name, StringComparer.Ordinal)];
        }

        private long Count(string directory) => lines.Count(l => l.Path.StartsWith(directory + "/", StringComparison.Ordinal));

        private static IEnumerable<string> Ancestors(string path)
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                yield return path[..slash];
            }
        }
    }
}
