using System.Net;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Gc;

public class ManifestCollectionTests
{
    private static readonly Dictionary<string, string?> DeleteUntaggedAfterAnHour = new()
    {
        ["Gc:UntaggedManifests:Policy"] = "Delete",
        ["Gc:UntaggedManifests:After"] = "01:00:00",
    };

    [Fact]
    public async Task With_the_default_policy_untagged_manifests_are_kept()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.Registry.PushImageAsync("app", "v1");
        using (await gc.Registry.DeleteAsync("/v2/app/manifests/v1"))
        {
        }

        var result = await gc.CollectAfterGraceAsync();

        Assert.Equal(0, result.ManifestsDeleted);
        Assert.Equal(0, result.BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", image.Digest));
        Assert.Equal(image.Layers[0].Size, (await gc.Registry.GetBlobBytesAsync("app", image.Layers[0].Digest)).Length);
    }

    [Fact]
    public async Task An_untagged_manifest_goes_after_the_untagged_period_and_its_blobs_one_grace_period_later()
    {
        await using var gc = await GcHarness.StartAsync(DeleteUntaggedAfterAnHour);
        var image = await gc.Registry.PushImageAsync("app", "v1");
        var kept = await gc.Registry.PushImageAsync("app", "v2");
        using (await gc.Registry.DeleteAsync("/v2/app/manifests/v1"))
        {
        }

        gc.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, (await gc.CollectAsync()).ManifestsDeleted);
        gc.Time.Advance(TimeSpan.FromMinutes(31));
        var first = await gc.CollectAsync();

        Assert.Equal(1, first.ManifestsDeleted);
        Assert.Equal(0, first.BlobsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("app", image.Digest));
        var second = await gc.CollectAfterTwoGracePeriodsAsync();
        Assert.Equal(2, second.BlobsDeleted);
        Assert.False(await gc.StoredAsync(image.Layers[0].Digest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", "v2"));
        Assert.Equal(kept.Layers[0].Size, (await gc.Registry.GetBlobBytesAsync("app", kept.Layers[0].Digest)).Length);
    }

    [Fact]
    public async Task A_manifest_tagged_again_before_the_collector_runs_is_kept()
    {
        await using var gc = await GcHarness.StartAsync(DeleteUntaggedAfterAnHour);
        var image = await gc.Registry.PushImageAsync("app", "v1");
        using (await gc.Registry.DeleteAsync("/v2/app/manifests/v1"))
        {
        }

        gc.Time.Advance(TimeSpan.FromHours(2));
        await gc.Registry.PushManifestAsync("app", "v1-again", image.Manifest);
        var result = await gc.CollectAfterGraceAsync();

        Assert.Equal(0, result.ManifestsDeleted);
        Assert.Equal(0, result.BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", "v1-again"));
    }

    [Fact]
    public async Task The_children_of_a_tagged_index_are_kept_and_go_after_the_index_does()
    {
        await using var gc = await GcHarness.StartAsync(DeleteUntaggedAfterAnHour);
        var amd64 = await gc.Registry.PushImageAsync("app");
        var arm64 = await gc.Registry.PushImageAsync("app");
        var index = ManifestJson.Index([Descriptor.For(MediaTypes.OciManifest, amd64.Manifest), Descriptor.For(MediaTypes.OciManifest, arm64.Manifest)]);
        var indexDigest = await gc.Registry.PushManifestAsync("app", "multi", index, MediaTypes.OciIndex);

        var kept = await gc.CollectAfterGraceAsync();
        Assert.Equal(0, kept.ManifestsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", amd64.Digest));

        using (await gc.Registry.DeleteAsync("/v2/app/manifests/multi"))
        {
        }

        gc.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, (await gc.CollectAsync()).ManifestsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("app", indexDigest));
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", amd64.Digest));
        gc.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, (await gc.CollectAsync()).ManifestsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("app", arm64.Digest));
        Assert.Equal(4, (await gc.CollectAfterTwoGracePeriodsAsync()).BlobsDeleted);
    }

    [Fact]
    public async Task A_referrer_lives_as_long_as_its_subject()
    {
        await using var gc = await GcHarness.StartAsync(DeleteUntaggedAfterAnHour);
        var subject = await gc.Registry.PushImageAsync("app", "v1");
        var signature = await gc.Registry.PushImageAsync("app", subject: Descriptor.For(MediaTypes.OciManifest, subject.Manifest));

        Assert.Equal(0, (await gc.CollectAfterGraceAsync()).ManifestsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", signature.Digest));

        using (await gc.Registry.DeleteAsync($"/v2/app/manifests/{subject.Digest}"))
        {
        }

        gc.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, (await gc.CollectAsync()).ManifestsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.Registry.ManifestStatusAsync("app", signature.Digest));
        Assert.Equal(4, (await gc.CollectAfterTwoGracePeriodsAsync()).BlobsDeleted);
    }

    [Fact]
    public async Task The_subject_of_a_tagged_referrer_is_kept()
    {
        await using var gc = await GcHarness.StartAsync(DeleteUntaggedAfterAnHour);
        var subject = await gc.Registry.PushImageAsync("app");
        await gc.Registry.PushImageAsync("app", "sig", subject: Descriptor.For(MediaTypes.OciManifest, subject.Manifest));

        var result = await gc.CollectAfterGraceAsync();

        Assert.Equal(0, result.ManifestsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.Registry.ManifestStatusAsync("app", subject.Digest));
    }
}
