using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>
/// <c>DELETE /api/tags/{name}?tag=&amp;digest=</c>: the tag is removed only while it still points to the manifest the
/// caller saw, so a tag pushed again in the meantime survives.
/// </summary>
public sealed class ApiTagDeleteIfTests
{
    [Fact]
    public async Task A_tag_pushed_again_after_it_was_shown_is_not_deleted()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var shown = await registry.PushImageAsync("team/app", "v1");
        var page = await server.Client.JsonAsync("/api/tags/team/app");
        Assert.Equal(shown.Digest, page.GetProperty("tags")[0].GetProperty("digest").GetString());

        // Someone else pushes v1 again while the page is open.
        var pushed = await registry.PushImageAsync("team/app", "v1");

        using (var refused = await server.Client.DeleteAsync($"/api/tags/team/app?tag=v1&digest={shown.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Contains("MANIFEST_UNKNOWN", body, StringComparison.Ordinal);
            Assert.Contains("pushed again", body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("team/app", "v1"));
        Assert.Equal(pushed.Digest, (await server.Client.JsonAsync("/api/image/team/app?reference=v1")).GetProperty("digest").GetString());

        using (var deleted = await server.Client.DeleteAsync($"/api/tags/team/app?tag=v1&digest={pushed.Digest}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("team/app", "v1"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("team/app", pushed.Digest));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("team/app", shown.Digest));

        using var gone = await server.Client.DeleteAsync($"/api/tags/team/app?tag=v1&digest={pushed.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("MANIFEST_UNKNOWN", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var malformed = await server.Client.DeleteAsync("/api/tags/team/app?tag=v1&digest=sha256:short");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var unknownRepository = await server.Client.DeleteAsync($"/api/tags/team/none?tag=v1&digest={pushed.Digest}");
        Assert.Contains("NAME_UNKNOWN", await unknownRepository.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletes_racing_pushes_of_the_tag_never_remove_what_was_pushed()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var seen = await registry.PushImageAsync("team/race");
        for (var round = 0; round < 30; round++)
        {
            await registry.PushManifestAsync("team/race", "latest", seen.Manifest);
            var pushed = await registry.PushImageAsync("team/race");

            // The delete names the manifest the caller saw; the push moves the tag to another one at the same time.
            var delete = server.Client.DeleteAsync($"/api/tags/team/race?tag=latest&digest={seen.Digest}");
            var push = registry.PutManifestAsync("team/race", "latest", pushed.Manifest);
            using var deleted = await delete;
            using var put = await push;

            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Contains(deleted.StatusCode, new[] { HttpStatusCode.NoContent, HttpStatusCode.Conflict });
            Assert.Equal(pushed.Digest, (await server.Client.JsonAsync("/api/image/team/race?reference=latest")).GetProperty("digest").GetString());
        }

        // Sequentially, with no race, each outcome is what it must be.
        await registry.PushManifestAsync("team/race", "latest", seen.Manifest);
        using (var deleted = await server.Client.DeleteAsync($"/api/tags/team/race?tag=latest&digest={seen.Digest}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("team/race", "latest"));
    }
}
