using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata.Gc;

/// <summary>The stores and the GC roles over one database.</summary>
public sealed record GcStores(IBlobIndex Blobs, IManifestReader Reader, IManifestWriter Writer, IRepositoryReader Repositories, IGcStore Gc, IRepositoryDeleter Deleter);

/// <summary>
/// What every metadata store must do for the garbage collector (docs/design/gc.md): queue candidates in the
/// transactions that make them, re-check before deleting, hold, and count. A subclass supplies fresh, empty stores.
/// </summary>
public abstract class GcStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(24);
    private static readonly TimeSpan NoBudget = TimeSpan.FromMinutes(1);
    private GcStores? _stores;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    protected GcStores Stores => _stores ?? throw new InvalidOperationException("stores not created");

    protected static CancellationToken None => CancellationToken.None;

    private DateTimeOffset Due => Time.GetUtcNow() - Grace;

    protected abstract Task<GcStores> CreateStoresAsync(TimeProvider time);

    protected abstract Task DestroyStoresAsync();

    public async Task InitializeAsync() => _stores = await CreateStoresAsync(Time);

    public Task DisposeAsync() => DestroyStoresAsync();

    [Fact]
    public async Task A_new_link_no_manifest_references_goes_after_the_grace_period_and_then_its_blob()
    {
        var digest = await LinkAsync("app", "lonely");

        Assert.Empty((await Stores.Gc.CollectLinksAsync(Due, 100, None)).Deleted);
        Time.Advance(Grace);
        var links = await Stores.Gc.CollectLinksAsync(Due, 100, None);

        Assert.Equal([new RepositoryDigest("app", digest)], links.Deleted);
        Assert.Null(await Stores.Blobs.GetInRepositoryAsync("app", digest, None));
        var deletedBytes = new List<Digest>();
        Assert.Empty((await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording(deletedBytes), None)).Deleted);
        Time.Advance(Grace);
        var blobs = await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording(deletedBytes), None);
        Assert.Equal([new DeletedBlob(digest, 100)], blobs.Deleted);
        Assert.Equal([digest], deletedBytes);
        Assert.False(await Stores.Blobs.LinkExistingAsync("other", digest, None));
        Assert.Empty(await Stores.Gc.FindRecordedAsync([digest.Value], None));
    }

    [Fact]
    public async Task A_link_queued_again_waits_a_grace_period_from_then_and_a_link_that_does_not_exist_is_not_queued()
    {
        var digest = await LinkAsync("hub/app", "evicted");
        Time.Advance(Grace / 2);
        await Stores.Gc.QueueLinksAsync("hub/app", [digest.Value, Digest.Compute(Encoding.UTF8.GetBytes("never linked")).Value], None);
        await Stores.Gc.QueueLinksAsync("hub/other", [digest.Value], None);
        Time.Advance(Grace / 2);

        Assert.Equal(1, (await StatusAsync()).Queued.Links);
        Assert.Empty((await Stores.Gc.CollectLinksAsync(Due, 100, None)).Deleted);
        Time.Advance(Grace / 2);
        Assert.Equal([new RepositoryDigest("hub/app", digest)], (await Stores.Gc.CollectLinksAsync(Due, 100, None)).Deleted);
    }

    [Fact]
    public async Task A_link_a_manifest_references_is_kept_and_its_review_dropped()
    {
        var digest = await LinkAsync("app", "used");
        await Stores.Writer.PutAsync("app", Image("m", [digest]), "v1", None);
        Time.Advance(Grace);

        var links = await Stores.Gc.CollectLinksAsync(Due, 100, None);

        Assert.Equal(1, links.Reviewed);
        Assert.Empty(links.Deleted);
        Assert.NotNull(await Stores.Blobs.GetInRepositoryAsync("app", digest, None));
        Assert.Equal(0, (await StatusAsync()).Queued.Links);
    }

    [Fact]
    public async Task A_blob_another_repository_links_is_not_deleted()
    {
        var digest = await LinkAsync("a", "shared");
        Assert.True(await Stores.Blobs.LinkExistingAsync("b", digest, None));
        await Stores.Writer.PutAsync("b", Image("keep", [digest]), "v1", None);
        Time.Advance(Grace);
        await Stores.Gc.CollectLinksAsync(Due, 100, None);
        Time.Advance(Grace);

        var blobs = await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None);

        Assert.Equal(1, blobs.Reviewed);
        Assert.Empty(blobs.Deleted);
        Assert.NotNull(await Stores.Blobs.GetInRepositoryAsync("b", digest, None));
    }

    [Fact]
    public async Task When_deleting_the_bytes_fails_the_blob_and_its_review_stay_for_the_next_cycle()
    {
        var digest = await UnlinkedAsync("fails");

        await Assert.ThrowsAsync<IOException>(async () => await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, (_, _) => throw new IOException("disk"), None));

        Assert.Equal(1, (await StatusAsync()).Queued.Blobs);
        Assert.Equal([digest.Value], await Stores.Gc.FindRecordedAsync([digest.Value], None));
        Assert.Single((await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None)).Deleted);
    }

    [Fact]
    public async Task A_blob_batch_past_its_time_budget_commits_what_it_deleted_and_leaves_the_rest_queued()
    {
        await UnlinkedAsync("first", advance: false);
        await UnlinkedAsync("second", advance: false);
        await UnlinkedAsync("third");

        var cut = await Stores.Gc.CollectBlobsAsync(Due, 100, TimeSpan.Zero, Recording([]), None);

        Assert.Single(cut.Deleted);
        Assert.Equal(100, cut.Reviewed); // cut short: reported full, so the caller goes on
        Assert.Equal(2, (await StatusAsync()).Queued.Blobs);
        Assert.Equal(2, (await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None)).Deleted.Count);
    }

    [Fact]
    public async Task A_held_blob_stays_a_candidate_for_another_grace_period()
    {
        var digest = await UnlinkedAsync("held");

        await Stores.Gc.HoldBlobAsync(digest, None);

        Assert.Empty((await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None)).Deleted);
        Time.Advance(Grace);
        Assert.Single((await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None)).Deleted);
    }

    [Fact]
    public async Task Holding_a_blob_that_is_no_candidate_changes_nothing()
    {
        var digest = await LinkAsync("app", "linked");

        await Stores.Gc.HoldBlobAsync(digest, None);
        await Stores.Gc.HoldBlobAsync(Digest.Compute(Encoding.UTF8.GetBytes("never stored")), None);

        Assert.Equal(0, (await StatusAsync()).Queued.Blobs);
    }

    [Fact]
    public async Task An_untagged_manifest_nothing_needs_is_deleted_and_its_links_queued()
    {
        var layer = await LinkAsync("app", "layer");
        var image = Image("old", [layer]);
        await Stores.Writer.PutAsync("app", image, "v1", None);
        await Stores.Writer.PutAsync("app", Image("new", [layer]), "v1", None); // moves the tag: the old manifest is queued
        Time.Advance(Grace);

        var manifests = await Stores.Gc.CollectManifestsAsync(Due, 100, None);

        Assert.Equal([new RepositoryDigest("app", image.Digest)], manifests.Deleted);
        Assert.Null(await Stores.Reader.GetAsync("app", image.Digest, None));
        Assert.Equal(1, (await StatusAsync()).Queued.Links);
        Time.Advance(Grace);
        Assert.Empty((await Stores.Gc.CollectLinksAsync(Due, 100, None)).Deleted); // the new manifest references the layer
    }

    [Fact]
    public async Task Tagged_manifests_index_children_and_referrers_of_present_subjects_are_kept()
    {
        var layer = await LinkAsync("app", "layer");
        var child = Image("child", [layer]);
        var subject = Image("subject", [layer]);
        var referrer = Image("referrer", [layer], subject: subject.Digest);
        var taggedReferrer = Image("signature", [layer], subject: Image("unpushed-but-signed", []).Digest);
        await Stores.Writer.PutAsync("app", child, null, None);
        await Stores.Writer.PutAsync("app", subject, "v1", None);
        await Stores.Writer.PutAsync("app", referrer, null, None);
        await Stores.Writer.PutAsync("app", taggedReferrer, "sig", None);
        var index = IndexOf("index", child.Digest);
        await Stores.Writer.PutAsync("app", index, "multi", None);
        Time.Advance(Grace);

        var manifests = await Stores.Gc.CollectManifestsAsync(Due, 100, None);

        Assert.Empty(manifests.Deleted);
        Assert.Equal(2, manifests.Reviewed); // the untagged child and referrer were queued at push and re-checked
        foreach (var kept in new[] { child, subject, referrer, taggedReferrer, index })
        {
            Assert.NotNull(await Stores.Reader.GetAsync("app", kept.Digest, None));
        }
    }

    [Fact]
    public async Task Deleting_an_index_and_a_subject_queues_their_children_and_referrers_which_then_go()
    {
        var layer = await LinkAsync("app", "layer");
        var child = Image("child", [layer]);
        var subject = Image("subject", [layer]);
        var referrer = Image("referrer", [layer], subject: subject.Digest);
        await Stores.Writer.PutAsync("app", child, null, None);
        await Stores.Writer.PutAsync("app", subject, "v1", None);
        await Stores.Writer.PutAsync("app", referrer, null, None);
        var index = IndexOf("index", child.Digest);
        await Stores.Writer.PutAsync("app", index, "multi", None);
        Time.Advance(Grace);
        await Stores.Gc.CollectManifestsAsync(Due, 100, None);

        Assert.True(await Stores.Writer.DeleteAsync("app", index.Digest, None));
        Assert.True(await Stores.Writer.DeleteAsync("app", subject.Digest, None));
        Time.Advance(Grace);
        var manifests = await Stores.Gc.CollectManifestsAsync(Due, 100, None);

        Assert.Equal(
            new[] { child.Digest.Value, referrer.Digest.Value }.Order(StringComparer.Ordinal),
            manifests.Deleted.Select(m => m.Digest.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deleting_a_repository_removes_its_rows_and_queues_its_blobs()
    {
        var layer = await LinkAsync("team/app", "layer");
        await Stores.Writer.PutAsync("team/app", Image("m", [layer]), "v1", None);
        await LinkAsync("team/other", "other");

        Assert.True(await Stores.Deleter.DeleteAsync("team/app", None));

        Assert.False(await Stores.Deleter.DeleteAsync("team/app", None));
        Assert.Null(await Stores.Reader.ListTagsAsync("team/app", null, 10, None));
        Assert.Equal(["team/other"], (await Stores.Repositories.ListAsync(null, 10, None)).Items);
        Assert.Equal(1, (await StatusAsync()).Queued.Blobs);
        Time.Advance(Grace);
        Assert.Single((await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None)).Deleted);
    }

    [Fact]
    public async Task Status_counts_queued_and_due_rows_and_totals_what_was_deleted()
    {
        await UnlinkedAsync("one");
        await UnlinkedAsync("two");
        await LinkAsync("app", "fresh");

        var before = await StatusAsync();
        // Each link was queued when made; the two unlinked ones stay queued until reviewed (then dropped: nothing to delete).
        Assert.Equal(new GcQueueCounts(0, 3, 2), before.Queued);
        Assert.Equal(new GcQueueCounts(0, 2, 2), before.Due);
        await Stores.Gc.CollectBlobsAsync(Due, 100, NoBudget, Recording([]), None);
        await Stores.Gc.RecordCycleAsync(Time.GetUtcNow(), None);

        var after = await StatusAsync();
        Assert.Equal(2, after.Totals.BlobsDeleted);
        Assert.Equal(200, after.Totals.BytesReclaimed);
        Assert.Equal(Time.GetUtcNow(), after.Totals.LastCycleAt);
    }

    [Fact]
    public async Task Concurrent_collectors_delete_each_blob_once()
    {
        var digests = new List<Digest>();
        for (var i = 0; i < 40; i++)
        {
            digests.Add(await UnlinkedAsync($"many-{i}", advance: false));
        }

        Time.Advance(Grace);
        var deletions = new ConcurrentBag<Digest>();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var deleted = 0;
            while (true)
            {
                var batch = await Stores.Gc.CollectBlobsAsync(Due, 5, NoBudget, (d, _) => { deletions.Add(d); return ValueTask.CompletedTask; }, None);
                deleted += batch.Deleted.Count;
                if (batch.Reviewed == 0)
                {
                    return deleted;
                }
            }
        })));

        Assert.Equal(40, results.Sum());
        Assert.Equal(digests.Select(d => d.Value).Order(StringComparer.Ordinal), deletions.Select(d => d.Value).Order(StringComparer.Ordinal));
    }

    private static Func<Digest, CancellationToken, ValueTask> Recording(List<Digest> deleted) => (digest, _) =>
    {
        deleted.Add(digest);
        return ValueTask.CompletedTask;
    };

    private async Task<Digest> LinkAsync(string repository, string seed)
    {
        var digest = Digest.Compute(Encoding.UTF8.GetBytes("blob:" + seed));
        await Stores.Blobs.LinkAsync(repository, new BlobInfo(digest, 100), null, None);
        return digest;
    }

    /// <summary>A blob whose only link was removed (and, unless told otherwise, one grace period ago).</summary>
    private async Task<Digest> UnlinkedAsync(string seed, bool advance = true)
    {
        var digest = await LinkAsync("scratch", seed);
        Assert.True(await Stores.Blobs.UnlinkAsync("scratch", digest, None));
        if (advance)
        {
            Time.Advance(Grace);
        }

        return digest;
    }

    private async Task<GcStoreStatus> StatusAsync() => await Stores.Gc.GetStatusAsync(Due, Due, None);

    private static ManifestRecord Image(string seed, IReadOnlyList<Digest> blobs, Digest? subject = null)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"seed\":\"{seed}\"}}");
        return new ManifestRecord(Digest.Compute(payload), MediaTypes.OciManifest, payload, null, subject, null, blobs, []);
    }

    private static ManifestRecord IndexOf(string seed, params Digest[] children)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"index\":\"{seed}\"}}");
        return new ManifestRecord(Digest.Compute(payload), MediaTypes.OciIndex, payload, null, null, null, [], children);
    }
}
