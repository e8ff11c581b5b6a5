using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Services;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary><c>GET /api/tags/{name}</c> and <c>DELETE /api/tags/{name}?tag=</c> with auth off.</summary>
public sealed class ApiTagsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Tags_show_digest_media_type_total_size_platforms_and_push_time()
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);
        var registry = new Registry(server);
        var single = OciLayoutBuilder.CreateImage("tags-single", "arm64");
        await registry.PushAsync("team/app", single, "v1");
        _time.Advance(TimeSpan.FromMinutes(5));
        OciImage[] platforms = [OciLayoutBuilder.CreateImage("tags-multi", "amd64"), OciLayoutBuilder.CreateImage("tags-multi", "arm64")];
        var (indexDigest, indexBytes) = await registry.PushIndexAsync("team/app", platforms, "multi");

        var page = await server.Client.JsonAsync("/api/tags/team/app");

        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(50, page.GetProperty("perPage").GetInt32());
        var tags = page.GetProperty("tags");
        Assert.Equal(["multi", "v1"], tags.EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        var multi = tags[0];
        Assert.Equal(indexDigest, multi.GetProperty("digest").GetString());
        Assert.Equal(MediaTypes.OciIndex, multi.GetProperty("mediaType").GetString());
        Assert.Equal(indexBytes.Length + platforms.Sum(TotalSize), multi.GetProperty("size").GetInt64());
        Assert.Equal(["linux/amd64", "linux/arm64"], multi.GetProperty("platforms").Strings());
        Assert.Equal("2026-03-01T10:05:00Z", multi.GetProperty("pushedAt").GetString());
        Assert.Equal(0, multi.GetProperty("pullCount").GetInt64());

        var v1 = tags[1];
        Assert.Equal(single.ManifestDigest, v1.GetProperty("digest").GetString());
        Assert.Equal(MediaTypes.OciManifest, v1.GetProperty("mediaType").GetString());
        Assert.Equal(TotalSize(single), v1.GetProperty("size").GetInt64());
        Assert.Equal(["linux/arm64"], v1.GetProperty("platforms").Strings());
        Assert.Equal("2026-03-01T10:00:00Z", v1.GetProperty("pushedAt").GetString());
    }

    [Fact]
    public async Task Tags_sort_by_push_time_newest_first_or_as_asked_and_page()
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);
        var registry = new Registry(server);
        var image = OciLayoutBuilder.CreateImage("tags-sort");
        foreach (var tag in new[] { "c", "a", "e", "b", "d" })
        {
            await registry.PushAsync("team/sorted", image, tag);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["d", "b", "e", "a", "c"], await NamesAsync(server, "/api/tags/team/sorted?sort=pushed"));
        Assert.Equal(["c", "a", "e", "b", "d"], await NamesAsync(server, "/api/tags/team/sorted?sort=pushed&order=asc"));
        Assert.Equal(["e", "d", "c", "b", "a"], await NamesAsync(server, "/api/tags/team/sorted?sort=name&order=desc"));
        Assert.Equal(["c", "d"], await NamesAsync(server, "/api/tags/team/sorted?perPage=2&page=2"));
        Assert.Equal(["e"], await NamesAsync(server, "/api/tags/team/sorted?perPage=2&page=3"));
        Assert.Empty(await NamesAsync(server, "/api/tags/team/sorted?perPage=2&page=4"));

        var last = await server.Client.JsonAsync("/api/tags/team/sorted?perPage=2&page=3");
        Assert.Equal(5, last.GetProperty("total").GetInt64());
        Assert.Equal(3, last.GetProperty("page").GetInt32());
        Assert.Equal(2, last.GetProperty("perPage").GetInt32());
    }

    [Theory]
    [InlineData("/api/tags/team/x?sort=size")]
    [InlineData("/api/tags/team/x?order=up")]
    [InlineData("/api/tags/team/x?page=0")]
    [InlineData("/api/tags/team/x?perPage=100000")]
    [InlineData("/api/tags/team/x?page=two")]
    public async Task Bad_parameters_are_400(string url)
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);

        var error = await server.Client.JsonAsync(url, HttpStatusCode.BadRequest);

        Assert.Equal("UNSUPPORTED", error.FirstErrorCode());
    }

    [Fact]
    public async Task An_unknown_repository_is_NAME_UNKNOWN_and_an_invalid_name_NAME_INVALID()
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);

        Assert.Equal("NAME_UNKNOWN", (await server.Client.JsonAsync("/api/tags/team/none", HttpStatusCode.NotFound)).FirstErrorCode());
        Assert.Equal("NAME_INVALID", (await server.Client.JsonAsync("/api/tags/Team/UPPER", HttpStatusCode.BadRequest)).FirstErrorCode());
    }

    [Fact]
    public async Task Pull_counts_of_each_manifest_show_on_tags_and_images()
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);
        var registry = new Registry(server);
        var pulled = OciLayoutBuilder.CreateImage("tags-pulled");
        var digest = await registry.PushAsync("team/pulls", pulled, "pulled");
        await registry.PushAsync("team/pulls", OciLayoutBuilder.CreateImage("tags-unpulled"), "unpulled");
        for (var i = 0; i < 3; i++)
        {
            using var get = await registry.GetAsync($"/v2/team/pulls/manifests/{(i == 0 ? "pulled" : digest)}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        await server.Services.GetRequiredService<UsageRecorder>().FlushAsync(CancellationToken.None);

        var tags = (await server.Client.JsonAsync("/api/tags/team/pulls")).GetProperty("tags");
        Assert.Equal([3L, 0L], tags.EnumerateArray().Select(t => t.GetProperty("pullCount").GetInt64()));
        Assert.Equal(3, (await server.Client.JsonAsync("/api/image/team/pulls?reference=pulled")).GetProperty("pullCount").GetInt64());
    }

    [Fact]
    public async Task Deleting_a_tag_removes_only_the_tag()
    {
        await using var server = await WharfTestServer.StartAsync(time: _time);
        var registry = new Registry(server);
        var image = OciLayoutBuilder.CreateImage("tags-delete");
        var digest = await registry.PushAsync("team/del", image, "v1");
        await registry.PushAsync("team/del", image, "v2");

        using (var deleted = await server.Client.DeleteAsync("/api/tags/team/del?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("team/del", "v1"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("team/del", "v2"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("team/del", digest));
        Assert.Equal(["v2"], await NamesAsync(server, "/api/tags/team/del"));

        using var again = await server.Client.DeleteAsync("/api/tags/team/del?tag=v1");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("MANIFEST_UNKNOWN", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknownRepository = await server.Client.DeleteAsync("/api/tags/team/none?tag=v1");
        Assert.Contains("NAME_UNKNOWN", await unknownRepository.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noTag = await server.Client.DeleteAsync("/api/tags/team/del");
        Assert.Equal(HttpStatusCode.BadRequest, noTag.StatusCode);
    }

    internal static long TotalSize(OciImage image) =>
        image.ManifestBytes.Length + image.ConfigBytes.Length + image.Layers.Sum(l => (long)l.Compressed.Length);

    private static async Task<List<string>> NamesAsync(WharfTestServer server, string url)
    {
        var page = await server.Client.JsonAsync(url);
        return [.. page.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
    }
}
