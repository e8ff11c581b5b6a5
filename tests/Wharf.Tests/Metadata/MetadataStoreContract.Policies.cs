using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

/// <summary>Immutable tags (the guarded writes), namespace usage and quota-checked links, and what retention reads.</summary>
public abstract partial class MetadataStoreContract
{
    private IProtectedTagWriter Guarded => (IProtectedTagWriter)Writer;

    [Fact]
    public async Task A_kept_tag_is_created_once_then_refuses_another_manifest_and_writes_nothing()
    {
        var config = await LinkBlobAsync("prod/app", "config");
        var first = Image("first", [config]);
        var second = Image("second", [config]);

        Assert.Equal(ManifestPutStatus.Stored, (await Guarded.PutKeepingTagAsync("prod/app", first, "v1", None)).Status);
        Assert.Equal(ManifestPutStatus.Stored, (await Guarded.PutKeepingTagAsync("prod/app", first, "v1", None)).Status);
        Assert.Equal(ManifestPutStatus.TagTaken, (await Guarded.PutKeepingTagAsync("prod/app", second, "v1", None)).Status);

        Assert.Equal(first.Digest, (await Reader.GetByTagAsync("prod/app", "v1", None))?.Digest);
        Assert.Null(await Reader.GetAsync("prod/app", second.Digest, None));
    }

    [Fact]
    public async Task A_kept_tag_still_checks_references()
    {
        var manifest = Image("dangling", [BlobDigest("nowhere")]);
        await LinkBlobAsync("prod/app", "other");

        var result = await Guarded.PutKeepingTagAsync("prod/app", manifest, "v1", None);

        Assert.Equal(ManifestPutStatus.BlobUnknown, result.Status);
        Assert.Null(await Reader.GetByTagAsync("prod/app", "v1", None));
    }

    [Fact]
    public async Task Concurrent_first_pushes_of_a_kept_tag_store_exactly_one()
    {
        var config = await LinkBlobAsync("prod/race", "config");
        for (var round = 0; round < 10; round++)
        {
            var manifests = Enumerable.Range(0, 8).Select(i => Image($"r{round}-{i}", [config])).ToArray();
            var results = await Task.WhenAll(manifests.Select(m =>
                Task.Run(async () => await Guarded.PutKeepingTagAsync("prod/race", m, $"v{round}", None))));

            var winner = Assert.Single(manifests.Zip(results), p => p.Second.Status == ManifestPutStatus.Stored).First;
            Assert.All(results, r => Assert.Contains(r.Status, new[] { ManifestPutStatus.Stored, ManifestPutStatus.TagTaken }));
            Assert.Equal(winner.Digest, (await Reader.GetByTagAsync("prod/race", $"v{round}", None))?.Digest);
        }
    }

    [Fact]
    public async Task A_guarded_delete_refuses_a_manifest_a_protected_tag_points_to()
    {
        var kept = await PushImageAsync("prod/app", "kept", "v1");
        var loose = await PushImageAsync("prod/app", "loose", "latest");

        var refused = await Guarded.DeleteUnlessProtectedAsync("prod/app", kept.Digest, t => t.StartsWith('v'), None);
        var deleted = await Guarded.DeleteUnlessProtectedAsync("prod/app", loose.Digest, t => t.StartsWith('v'), None);
        var unknown = await Guarded.DeleteUnlessProtectedAsync("prod/app", loose.Digest, t => t.StartsWith('v'), None);
        var noRepository = await Guarded.DeleteUnlessProtectedAsync("prod/none", loose.Digest, t => true, None);

        Assert.Equal(new ProtectedManifestDelete(false, "v1"), refused);
        Assert.Equal(kept.Digest, (await Reader.GetByTagAsync("prod/app", "v1", None))?.Digest);
        Assert.Equal(new ProtectedManifestDelete(true), deleted);
        Assert.Null(await Reader.GetAsync("prod/app", loose.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("prod/app", "latest", None));
        Assert.Equal(new ProtectedManifestDelete(false), unknown);
        Assert.Equal(new ProtectedManifestDelete(false), noRepository);
    }

    [Fact]
    public async Task A_guarded_delete_racing_a_kept_push_onto_the_manifest_never_loses_the_kept_tag()
    {
        var config = await LinkBlobAsync("prod/app", "config");
        for (var round = 0; round < 20; round++)
        {
            var manifest = Image($"m{round}", [config]);
            Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("prod/app", manifest, null, None)).Status);
            var push = Task.Run(async () => await Guarded.PutKeepingTagAsync("prod/app", manifest, $"v{round}", None));
            var delete = Task.Run(async () => await Guarded.DeleteUnlessProtectedAsync("prod/app", manifest.Digest, t => t.StartsWith('v'), None));
            await Task.WhenAll(push, delete);

            // Either the delete came first (and the push stored the manifest again), or it saw the tag and refused.
            Assert.Equal(ManifestPutStatus.Stored, (await push).Status);
            Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("prod/app", $"v{round}", None))?.Digest);
            Assert.NotNull(await Reader.GetAsync("prod/app", manifest.Digest, None));
        }
    }

    [Fact]
    public async Task Namespace_usage_counts_each_distinct_blob_of_its_repositories_once()
    {
        var shared = await LinkBlobAsync("team-a/one", "shared", 100);
        await Blobs.LinkAsync("team-a/two", new BlobInfo(shared, 100), null, None);
        await LinkBlobAsync("team-a/two", "own", 30);
        await LinkBlobAsync("team-a", "root", 5);
        await LinkBlobAsync("team-ab/x", "neighbour", 1000);
        await LinkBlobAsync("team-a_b/x", "underscore", 2000);

        Assert.Equal(135, await Stores.Policies.Usage.UsageAsync("team-a", None));
        Assert.Equal(1000, await Stores.Policies.Usage.UsageAsync("team-ab", None));
        Assert.Equal(0, await Stores.Policies.Usage.UsageAsync("nobody", None));
        Assert.True(await Stores.Policies.Usage.ContainsAsync("team-a", shared, None));
        Assert.False(await Stores.Policies.Usage.ContainsAsync("team-ab", shared, None));
        Assert.Equal(["team-a", "team-a/one", "team-a/two"], await Stores.Policies.Usage.ListRepositoriesAsync("team-a", 10, None));

        await Blobs.UnlinkAsync("team-a/two", BlobDigest("own"), None);
        Assert.Equal(105, await Stores.Policies.Usage.UsageAsync("team-a", None));
    }

    [Fact]
    public async Task A_quota_link_refuses_what_does_not_fit_and_always_takes_a_blob_the_namespace_has()
    {
        var usage = Stores.Policies.Usage;
        var first = new BlobInfo(BlobDigest("first"), 600);
        var second = new BlobInfo(BlobDigest("second"), 600);
        var upload = new UploadSession("u1", "team-a/app", 600, Time.GetUtcNow(), Time.GetUtcNow());
        await Uploads.CreateAsync(upload, None);

        Assert.Equal(new QuotaLink(QuotaLinkOutcome.Linked, 0), await usage.LinkWithinQuotaAsync("team-a/app", first, null, 1000, None));
        Assert.Equal(new QuotaLink(QuotaLinkOutcome.OverQuota, 600), await usage.LinkWithinQuotaAsync("team-a/app", second, "u1", 1000, None));
        Assert.Null(await Blobs.GetInRepositoryAsync("team-a/app", second.Digest, None));
        Assert.NotNull(await Uploads.GetAsync("u1", None)); // A refused link leaves the session to its caller.

        // Already in the namespace: costs nothing, so it links even though usage + size exceeds the quota.
        Assert.True((await usage.LinkWithinQuotaAsync("team-a/other", first, "u1", 1000, None)).Linked);
        Assert.NotNull(await Blobs.GetInRepositoryAsync("team-a/other", first.Digest, None));
        Assert.Null(await Uploads.GetAsync("u1", None));
        Assert.Equal(600, await usage.UsageAsync("team-a", None));
    }

    [Fact]
    public async Task A_quota_mount_links_only_a_recorded_blob_that_fits()
    {
        var usage = Stores.Policies.Usage;
        var foreign = new BlobInfo(await LinkBlobAsync("team-b/app", "foreign", 600), 600);
        var small = new BlobInfo(await LinkBlobAsync("team-b/app", "small", 300), 300);
        await LinkBlobAsync("team-a/app", "own", 600);

        Assert.Equal(new QuotaLink(QuotaLinkOutcome.OverQuota, 600), await usage.MountWithinQuotaAsync("team-a/app", foreign, 1000, None));
        Assert.Equal(new QuotaLink(QuotaLinkOutcome.BlobGone, 600), await usage.MountWithinQuotaAsync("team-a/app", new BlobInfo(BlobDigest("never"), 1), 1000, None));
        Assert.Equal(new QuotaLink(QuotaLinkOutcome.Linked, 600), await usage.MountWithinQuotaAsync("team-a/app", small, 1000, None));
        Assert.Null(await Blobs.GetInRepositoryAsync("team-a/app", foreign.Digest, None));
        Assert.NotNull(await Blobs.GetInRepositoryAsync("team-a/app", small.Digest, None));
        Assert.Equal(900, await usage.UsageAsync("team-a", None));
    }

    [Fact]
    public async Task Concurrent_quota_links_never_overshoot()
    {
        var usage = Stores.Policies.Usage;
        var blobs = Enumerable.Range(0, 12).Select(i => new BlobInfo(BlobDigest($"c{i}"), 300)).ToArray();

        var results = await Task.WhenAll(blobs.Select((b, i) =>
            Task.Run(async () => await usage.LinkWithinQuotaAsync($"team-c/r{i % 3}", b, null, 1000, None))));

        Assert.Equal(3, results.Count(r => r.Linked));
        Assert.Equal(900, await usage.UsageAsync("team-c", None));
    }

    [Fact]
    public async Task Retention_reads_tags_newest_push_first_with_their_manifests_last_pull()
    {
        var old = await PushImageAsync("ci/app", "old", "old");
        Time.Advance(TimeSpan.FromHours(1));
        var pulled = await PushImageAsync("ci/app", "pulled", "pulled");
        await Writer.PutAsync("ci/app", pulled, "also-pulled", None);
        var pullTime = Time.GetUtcNow().AddMinutes(5);
        await Info.Usage.ApplyAsync(new UsageBatch([new ManifestPullDelta("ci/app", pulled.Digest, 2, pullTime)], []), None);

        var tags = await Stores.Policies.Retention.ListTagsAsync("ci/app", None);

        Assert.Equal(
            [
                new RetentionTag("also-pulled", pulled.Digest, Time.GetUtcNow(), pullTime),
                new RetentionTag("pulled", pulled.Digest, Time.GetUtcNow(), pullTime),
                new RetentionTag("old", old.Digest, Time.GetUtcNow().AddHours(-1), null),
            ],
            tags);
        Assert.Empty(await Stores.Policies.Retention.ListTagsAsync("ci/none", None));
    }
}
