using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Gc;

public class BlobCollectionTests
{
    [Fact]
    public async Task A_deleted_manifests_blobs_are_reclaimed_after_the_grace_period_and_not_before()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.Registry.PushImageAsync("app", "v1", layerCount: 2);
        var blobs = image.Layers.Select(l => l.Digest).Append(image.Config.Digest).ToList();
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.BlobStatusAsync("app", blobs[0])); // fills the link cache
        using (var delete = await gc.Registry.DeleteAsync($"/v2/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        gc.Time.Advance(TimeSpan.FromHours(23));
        var early = await gc.CollectAsync();
        Assert.Equal(0, early.BlobsDeleted);
        foreach (var blob in blobs)
        {
            Assert.True(await gc.StoredAsync(blob));
        }

        var unlinked = await gc.CollectAfterGraceAsync();
        Assert.Equal(3, unlinked.LinksDeleted);
        Assert.Equal(0, unlinked.BlobsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.BlobStatusAsync("app", blobs[0]));
        Assert.True(await gc.StoredAsync(blobs[0]));

        var late = await gc.CollectAfterGraceAsync();

        Assert.Equal(3, late.BlobsDeleted);
        Assert.Equal(image.Layers.Sum(l => l.Size) + image.Config.Size, late.BytesReclaimed);
        foreach (var blob in blobs)
        {
            Assert.False(await gc.StoredAsync(blob));
            Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.BlobStatusAsync("app", blob));
        }

        var status = await gc.GcStatusAsync();
        Assert.Equal(3, status.GetProperty("reclaimed").GetProperty("blobs").GetInt64());
        Assert.Equal(late.BytesReclaimed, status.GetProperty("reclaimed").GetProperty("bytes").GetInt64());
        Assert.Equal(0, status.GetProperty("queued").GetProperty("blobs").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("lastRunAt").ValueKind);
    }

    [Fact]
    public async Task A_blob_another_repository_still_uses_is_kept_there()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.Registry.PushImageAsync("a", "v1");
        await gc.Registry.PushBlobAsync("b", await gc.Registry.GetBlobBytesAsync("a", image.Config.Digest));
        await gc.Registry.PushBlobAsync("b", await gc.Registry.GetBlobBytesAsync("a", image.Layers[0].Digest));
        await gc.Registry.PushManifestAsync("b", "v1", image.Manifest);
        using (await gc.Registry.DeleteAsync($"/v2/a/manifests/{image.Digest}"))
        {
        }

        var result = await gc.CollectAfterTwoGracePeriodsAsync();

        Assert.Equal(0, result.BlobsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.BlobStatusAsync("a", image.Layers[0].Digest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.BlobStatusAsync("b", image.Layers[0].Digest));
        Assert.True(await gc.StoredAsync(image.Layers[0].Digest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("b", "v1"));
    }

    [Fact]
    public async Task A_blob_uploaded_but_never_referenced_is_kept_for_the_grace_period_then_reclaimed()
    {
        await using var gc = await GcHarness.StartAsync();
        var digest = await gc.Registry.PushBlobAsync("app", TestBlobs.Random(1000));
        var tagged = await gc.Registry.PushImageAsync("app", "v1");

        gc.Time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(0, (await gc.CollectAsync()).BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.BlobStatusAsync("app", digest));

        var result = await gc.CollectAfterTwoGracePeriodsAsync();

        Assert.Equal(1, result.BlobsDeleted);
        Assert.False(await gc.StoredAsync(digest));
        Assert.True(await gc.StoredAsync(tagged.Layers[0].Digest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", "v1"));
    }

    [Fact]
    public async Task A_blob_held_by_a_commit_while_it_is_a_due_candidate_survives_the_next_cycle()
    {
        await using var gc = await GcHarness.StartAsync();
        var digest = await gc.Registry.PushBlobAsync("app", TestBlobs.Random(4096));
        using (await gc.Registry.DeleteAsync($"/v2/app/blobs/{digest}"))
        {
        }

        gc.Time.Advance(TimeSpan.FromHours(25));
        // What an upload commit of the same bytes does before it looks at the blob's path.
        await gc.Server.Services.GetRequiredService<IGcStore>().HoldBlobAsync(Digest.Parse(digest), CancellationToken.None);

        var result = await gc.CollectAsync();

        Assert.Equal(0, result.BlobsDeleted);
        Assert.True(await gc.StoredAsync(digest));
        Assert.Equal(1, (await gc.CollectAfterGraceAsync()).BlobsDeleted);
    }

    [Fact]
    public async Task A_blob_pushed_after_the_collector_deleted_it_is_stored_again_whole()
    {
        await using var gc = await GcHarness.StartAsync();
        var content = TestBlobs.Random(8192);
        var digest = await gc.Registry.PushBlobAsync("app", content);
        using (await gc.Registry.DeleteAsync($"/v2/app/blobs/{digest}"))
        {
        }

        Assert.Equal(1, (await gc.CollectAfterGraceAsync()).BlobsDeleted);
        await gc.Registry.PushBlobAsync("app", content);

        Assert.Equal(content, await gc.Registry.GetBlobBytesAsync("app", digest));
        Assert.True(await gc.StoredAsync(digest));
    }

    [Fact]
    public async Task A_mount_of_a_blob_the_collector_deleted_is_refused_and_the_client_is_given_an_upload()
    {
        await using var gc = await GcHarness.StartAsync();
        var digest = await gc.Registry.PushBlobAsync("app", TestBlobs.Random(2048));
        using (await gc.Registry.DeleteAsync($"/v2/app/blobs/{digest}"))
        {
        }

        await gc.CollectAfterGraceAsync();
        using var mount = await gc.Registry.SendAsync(HttpMethod.Post, $"/v2/other/blobs/uploads/?mount={digest}&from=app");

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.BlobStatusAsync("other", digest));
    }

    [Fact]
    public async Task A_mounted_blob_is_kept_when_its_source_repository_lets_go_of_it()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.Registry.PushImageAsync("app", "v1");
        foreach (var blob in image.Layers.Append(image.Config))
        {
            using var mount = await gc.Registry.SendAsync(HttpMethod.Post, $"/v2/copy/blobs/uploads/?mount={blob.Digest}&from=app");
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        await gc.Registry.PushManifestAsync("copy", "v1", image.Manifest);
        using (await gc.Registry.DeleteAsync($"/v2/app/manifests/{image.Digest}"))
        {
        }

        var result = await gc.CollectAfterTwoGracePeriodsAsync();

        Assert.Equal(0, result.BlobsDeleted);
        Assert.Equal(image.Layers[0].Size, (await gc.Registry.GetBlobBytesAsync("copy", image.Layers[0].Digest)).Length);
    }
}
