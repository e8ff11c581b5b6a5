using System.Net;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Gc;

public class RepositoryDeleteTests
{
    [Fact]
    public async Task Deleting_a_repository_removes_it_everywhere_and_its_blobs_after_the_grace_period()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.Registry.PushImageAsync("team/app", "v1");
        var other = await gc.Registry.PushImageAsync("team/other", "v1");
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("team/app", "v1")); // fills the caches

        using var delete = await gc.Server.Client.DeleteAsync("/api/repository/team/app");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var tags = await gc.Registry.GetAsync("/v2/team/app/tags/list"))
        {
            await Expect.ErrorAsync(tags, HttpStatusCode.NotFound, "NAME_UNKNOWN");
        }

        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("team/app", "v1"));
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("team/app", image.Digest));
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.BlobStatusAsync("team/app", image.Layers[0].Digest));
        using (var catalog = await gc.Registry.GetAsync("/v2/_catalog"))
        {
            Assert.DoesNotContain("team/app", await catalog.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var again = await gc.Server.Client.DeleteAsync("/api/repository/team/app"))
        {
            await Expect.ErrorAsync(again, HttpStatusCode.NotFound, "NAME_UNKNOWN");
        }

        var result = await gc.CollectAfterGraceAsync();
        Assert.Equal(2, result.BlobsDeleted);
        Assert.False(await gc.StoredAsync(image.Layers[0].Digest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("team/other", "v1"));
        Assert.True(await gc.StoredAsync(other.Layers[0].Digest));
    }

    [Fact]
    public async Task A_repository_pushed_again_after_its_delete_starts_empty()
    {
        await using var gc = await GcHarness.StartAsync();
        await gc.Registry.PushImageAsync("app", "old");
        using (await gc.Server.Client.DeleteAsync("/api/repository/app"))
        {
        }

        await gc.Registry.PushImageAsync("app", "new");

        Assert.Equal(["new"], await gc.Registry.TagsAsync("app"));
    }
}
