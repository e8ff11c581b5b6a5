using System.Formats.Tar;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Digest = Wharf.Core.Protocol.Digest;
using Wharf.Core.Services.Layers;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary><c>GET /api/files/{name}?digest=&amp;path=&amp;page=&amp;perPage=</c>: layer listings, checked against GNU tar itself.</summary>
public sealed class ApiLayerFilesTests
{
    [Theory]
    [InlineData("gzip, GNU format", new[] { "-z" }, new[] { "-z" }, MediaTypes.OciLayerGzip)]
    [InlineData("zstd, PAX format", new[] { "--zstd", "--format=posix" }, new[] { "--zstd" }, "application/vnd.oci.image.layer.v1.tar+zstd")]
    [InlineData("plain tar, GNU format", new string[0], new string[0], MediaTypes.OciLayerTar)]
    [InlineData("gzip, pushed as plain tar", new[] { "-z" }, new[] { "-z" }, MediaTypes.OciLayerTar)]
    public async Task The_listing_matches_what_tar_tv_says(string kind, string[] createOptions, string[] listOptions, string mediaType)
    {
        if (createOptions.Contains("--zstd"))
        {
            RequiredTool.Find("zstd", "zstd");
        }

        using var temp = new TempDirectory("wharf-layer");
        var root = temp.CreateSubdirectory("root");
        await GnuTarLayers.FillAsync(root);
        var archive = temp.Combine("layer");
        var layer = await GnuTarLayers.ArchiveAsync(root, archive, createOptions);
        var expected = await GnuTarLayers.ListAsync(archive, listOptions);
        await using var server = await WharfTestServer.StartAsync();
        var digest = await PushLayerImageAsync(new Registry(server), "team/app", layer, mediaType);

        var listing = await server.Client.JsonAsync($"/api/files/team/app?digest={digest}&perPage=5000");

        Assert.Equal(digest, listing.GetProperty("digest").GetString());
        Assert.False(listing.GetProperty("truncated").GetBoolean());
        Assert.Equal(expected.Count, listing.GetProperty("total").GetInt64());
        var entries = listing.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(expected.Count, entries.Count);
        Assert.Equal(entries.Select(e => e.GetProperty("path").GetString()).Order(StringComparer.Ordinal), entries.Select(e => e.GetProperty("path").GetString()));
        var byPath = entries.ToDictionary(e => e.GetProperty("path").GetString()!);
        foreach (var line in expected)
        {
            Assert.True(byPath.TryGetValue(line.Path, out var entry), $"{kind}: {line.Path} is missing from the listing");
            var what = $"{kind}: {line.Path}";
            Assert.True(GnuTarLayers.ExpectedType(line) == entry.GetProperty("type").GetString(), what);
            Assert.True(line.Mode == entry.GetProperty("mode").GetString(), $"{what}: mode {entry.GetProperty("mode")} is not {line.Mode}");
            Assert.True(line.Size == entry.GetProperty("size").GetInt64(), what);
            Assert.True(line.Uid == entry.GetProperty("uid").GetInt32(), what);
            Assert.True(line.Gid == entry.GetProperty("gid").GetInt32(), what);
            Assert.True(line.Modified == entry.GetProperty("modified").GetDateTime().ToString("yyyy-MM-dd HH:mm"), what);
            Assert.True(line.LinkTarget == (entry.GetProperty("linkTarget").ValueKind == JsonValueKind.Null ? null : entry.GetProperty("linkTarget").GetString()), what);
        }

        // The tree holds every kind of entry the browser tells apart, so the comparison above covered each one.
        Assert.Equal(["dir", "file", "hardlink", "opaque", "other", "symlink", "whiteout"],
            entries.Select(e => e.GetProperty("type").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(expected, l => l.Path.Length > 100);
        Assert.Contains(expected, l => l.LinkTarget?.Length > 100);
        Assert.Equal("-rwsr-xr-x", byPath["bin/su"].GetProperty("mode").GetString());
        Assert.Equal("drwxrwxrwt", byPath["tmp"].GetProperty("mode").GetString());
    }

    [Fact]
    public async Task A_directory_filter_lists_only_what_lies_below_it()
    {
        using var temp = new TempDirectory("wharf-layer");
        var root = temp.CreateSubdirectory("root");
        await GnuTarLayers.FillAsync(root);
        var layer = await GnuTarLayers.ArchiveAsync(root, temp.Combine("layer.tgz"), "-z");
        await using var server = await WharfTestServer.StartAsync();
        var digest = await PushLayerImageAsync(new Registry(server), "team/app", layer, MediaTypes.OciLayerGzip);

        var usr = await server.Client.JsonAsync($"/api/files/team/app?digest={digest}&path=/usr/share/");

        Assert.Equal(
            [$"usr/share/.wh.old-docs", $"usr/share/{GnuTarLayers.LongDirectory}", $"usr/share/{GnuTarLayers.LongDirectory}/nested",
             $"usr/share/{GnuTarLayers.LongDirectory}/nested/file-with-a-long-path.txt"],
            usr.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        Assert.Equal(4, usr.GetProperty("total").GetInt64());
        Assert.Equal(0, (await server.Client.JsonAsync($"/api/files/team/app?digest={digest}&path=nothing")).GetProperty("total").GetInt64());
        var cache = await server.Client.JsonAsync($"/api/files/team/app?digest={digest}&path=./var/cache");
        Assert.Equal(["var/cache/.wh..wh..opq"], cache.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_large_layer_is_paged_in_path_order()
    {
        var layer = ManyEntries(directories: 60, filesEach: 200);
        await using var server = await WharfTestServer.StartAsync();
        var digest = await PushLayerImageAsync(new Registry(server), "team/big", layer, MediaTypes.OciLayerGzip);

        var all = new List<string>();
        long total;
        var page = 1;
        do
        {
            var listing = await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&page={page++}&perPage=1000");
            total = listing.GetProperty("total").GetInt64();
            all.AddRange(listing.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()!));
        }
        while (all.Count < total && page < 100);

        Assert.Equal(60 + 60 * 200, total);
        Assert.Equal(total, all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(all.Count, all.Distinct().Count());

        var inDirectory = await server.Client.JsonAsync($"/api/files/team/big?digest={digest}&path=d042&page=2&perPage=50");
        Assert.Equal(200, inDirectory.GetProperty("total").GetInt64());
        Assert.Equal(Enumerable.Range(50, 50).Select(i => $"d042/f{i:D4}"), inDirectory.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_listing_is_cached_in_storage_and_served_without_the_blob()
    {
        var layer = ManyEntries(directories: 3, filesEach: 10);
        await using var server = await WharfTestServer.StartAsync();
        var digest = await PushLayerImageAsync(new Registry(server), "team/cached", layer, MediaTypes.OciLayerGzip);
        var storage = server.Services.GetRequiredService<IStorageDriver>();
        var cachePath = server.Services.GetRequiredService<LayerListingService>().CachePath(Digest.Parse(digest));
        Assert.Null(await storage.StatAsync(cachePath, CancellationToken.None));

        var first = await server.Client.GetStringAsync($"/api/files/team/cached?digest={digest}");
        Assert.NotNull(await storage.StatAsync(cachePath, CancellationToken.None));

        // With the blob's bytes gone, only the cached listing can answer.
        await storage.DeleteAsync(StorageLayout.Blob(Digest.Parse(digest)), CancellationToken.None);
        var second = await server.Client.GetStringAsync($"/api/files/team/cached?digest={digest}");

        Assert.Equal(first, second);
        Assert.Empty(await ListAsync(storage, "listings/partial"));
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_build_and_agree()
    {
        var layer = ManyEntries(directories: 20, filesEach: 100);
        await using var server = await WharfTestServer.StartAsync();
        var digest = await PushLayerImageAsync(new Registry(server), "team/race", layer, MediaTypes.OciLayerGzip);

        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.Client.GetStringAsync($"/api/files/team/race?digest={digest}&page=3&perPage=100")));

        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        using var json = JsonDocument.Parse(bodies[0]);
        Assert.Equal(100, json.RootElement.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task Blobs_that_are_not_layers_of_the_repository_are_refused()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = OciLayoutBuilder.CreateImage("files-refused");
        await registry.PushAsync("team/app", image, "v1");
        var elsewhere = OciLayoutBuilder.CreateImage("files-elsewhere");
        await registry.PushAsync("team/other", elsewhere, "v1");

        Assert.Equal("UNSUPPORTED", (await server.Client.JsonAsync($"/api/files/team/app?digest={image.ConfigDigest}", HttpStatusCode.BadRequest)).FirstErrorCode());
        Assert.Equal("BLOB_UNKNOWN", (await server.Client.JsonAsync($"/api/files/team/app?digest={elsewhere.Layers[0].Digest}", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("NAME_UNKNOWN", (await server.Client.JsonAsync($"/api/files/team/none?digest={image.Layers[0].Digest}", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("UNSUPPORTED", (await server.Client.JsonAsync("/api/files/team/app?digest=sha256:nope", HttpStatusCode.BadRequest)).FirstErrorCode());
        Assert.Equal("UNSUPPORTED", (await server.Client.JsonAsync($"/api/files/team/app?digest={image.Layers[0].Digest}&perPage=0", HttpStatusCode.BadRequest)).FirstErrorCode());

        var listing = await server.Client.JsonAsync($"/api/files/team/app?digest={image.Layers[1].Digest}");
        Assert.Equal(["app", "app/README.txt", "app/hello"], listing.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    /// <summary>Pushes the layer, a config and a manifest holding it; returns the layer's digest.</summary>
    internal static async Task<string> PushLayerImageAsync(Registry registry, string repository, byte[] layer, string mediaType)
    {
        var layerDescriptor = await registry.PushDescriptorAsync(repository, layer, mediaType);
        var config = await registry.PushDescriptorAsync(repository, TestBlobs.Config(), MediaTypes.OciConfig);
        await registry.PushManifestAsync(repository, "v1", ManifestJson.Image(config, [layerDescriptor]));
        return layerDescriptor.Digest;
    }

    /// <summary>A gzip tar with <paramref name="directories"/> directories d000… each holding <paramref name="filesEach"/> small files, in reverse order.</summary>
    internal static byte[] ManyEntries(int directories, int filesEach)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            for (var d = directories - 1; d >= 0; d--)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"./d{d:D3}/"));
                for (var f = filesEach - 1; f >= 0; f--)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"./d{d:D3}/f{f:D4}") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"{d}/{f}")) });
                }
            }
        }

        return OciLayoutLayerTar.Gzip(tar.ToArray());
    }

    private static async Task<List<string>> ListAsync(IStorageDriver storage, string prefix)
    {
        var names = new List<string>();
        await foreach (var name in storage.ListAsync(prefix, CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }
}
