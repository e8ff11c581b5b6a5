using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Storage;
using Wharf.Storage.S3;

namespace Wharf.Tests.Storage.S3;

/// <summary>A process dying between two requests, and the janitor that cleans up after it.</summary>
public sealed partial class S3DriverTests
{
    public static TheoryData<string> PublishSteps => new() { "publish.claimed", "publish.pointer-written", "publish.source-deleted" };

    [Theory]
    [MemberData(nameof(PublishSteps))]
    public async Task A_publish_that_dies_at_any_step_leaves_no_damaged_blob_and_the_janitor_finishes_or_undoes_it(string step)
    {
        var content = RandomBytes(Large, 20);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        _driver!.Faults = s => s == step ? throw new SimulatedCrash() : ValueTask.CompletedTask;

        await Assert.ThrowsAsync<SimulatedCrash>(async () => await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        _driver.Faults = null;

        var published = await GetAsync("blobs/d");
        Assert.True(published is null || Sha256(published) == Sha256(content), "the destination holds other bytes");
        await Driver.DeleteAsync("uploads/p", None); // the upload janitor discarding the upload whose commit died
        await JanitorTwoDaysLaterAsync();

        var after = await GetAsync("blobs/d");
        Assert.Equal(published is null, after is null);
        if (after is not null)
        {
            Assert.Equal(Sha256(content), Sha256(after));
            var data = (await _driver.HeadAsync(_driver.PhysicalKey("blobs/d"), None))!.Value.Data!;
            Assert.Equal(FateState.Live, (await _driver.ReadFateAsync(data, None))!.Value.State);
        }
        else
        {
            Assert.Empty(await PhysicalKeysAsync());
        }
    }

    [Theory]
    [MemberData(nameof(PublishSteps))]
    public async Task After_a_publish_died_the_retried_commit_keeps_the_blob_whole(string step)
    {
        var content = RandomBytes(Large, 21);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        _driver!.Faults = s => s == step ? throw new SimulatedCrash() : ValueTask.CompletedTask;
        await Assert.ThrowsAsync<SimulatedCrash>(async () => await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        _driver.Faults = null;

        var retried = await Driver.PublishAsync("uploads/p", "blobs/d", version, None);

        if (await GetAsync("blobs/d") is { } bytes)
        {
            Assert.Equal(Sha256(content), Sha256(bytes));
            Assert.True(retried is PublishOutcome.DestinationExisted or PublishOutcome.SourceMissing, retried.ToString());
        }
        else
        {
            Assert.Equal(PublishOutcome.SourceChanged, retried); // claimed by the dead publish until the janitor undoes it
        }

        await Driver.DeleteAsync("uploads/p", None);
        await JanitorTwoDaysLaterAsync();
    }

    [Fact]
    public async Task A_writer_that_dies_before_its_pointer_leaves_the_old_object_readable_and_an_orphan_the_janitor_removes()
    {
        var first = RandomBytes(Large, 22);
        await PutAsync("uploads/w", first);
        _driver!.Faults = s => s == "writer.data-complete" ? throw new SimulatedCrash() : ValueTask.CompletedTask;

        await Assert.ThrowsAsync<SimulatedCrash>(async () =>
        {
            await using var writer = await Driver.OpenWriterAsync("uploads/w", Large, None);
            await writer.WriteAsync(RandomBytes(1000, 23), None);
            await writer.CommitAsync(None);
        });
        _driver.Faults = null;

        Assert.Equal(Sha256(first), Sha256((await GetAsync("uploads/w"))!));
        Assert.Equal(2, (await PhysicalKeysAsync()).Count(k => k.StartsWith("_data/", StringComparison.Ordinal)));
        Assert.Equal(1, await JanitorTwoDaysLaterAsync());
        Assert.Equal(Sha256(first), Sha256((await GetAsync("uploads/w"))!));
    }

    [Fact]
    public async Task Janitor_aborts_multipart_uploads_older_than_the_cutoff_and_no_younger_ones()
    {
        Use("uploads/w");
        var writer = await Driver.OpenWriterAsync("uploads/w", 0, None);
        await writer.WriteAsync(RandomBytes((2 * S3StorageOptions.MinimumPartSize) + 1, 24), None);
        Assert.Single(await OpenMultipartUploadsAsync());

        Assert.Equal(0, await JanitorNowAsync(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Single(await OpenMultipartUploadsAsync());
        Assert.Equal(1, await JanitorTwoDaysLaterAsync());

        Assert.Empty(await OpenMultipartUploadsAsync());
        await writer.DisposeAsync(); // its upload is gone: the commit inside fails quietly
        Assert.Null(await Driver.StatAsync("uploads/w", None));
    }

    [Fact]
    public async Task Janitor_keeps_uploads_in_progress_and_published_blobs_and_removes_only_data_nothing_names()
    {
        var upload = RandomBytes(Large, 25);
        var blob = RandomBytes(Large, 26);
        await PutAsync("uploads/live", upload);
        var version = await PutVersionedAsync("uploads/p", blob);
        Use("blobs/d");
        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        await PutAsync("uploads/o", RandomBytes(Large, 27));
        await OverwriteBehindTheDriverAsync("uploads/o", Bytes("small now")); // replaced without releasing its data object

        Assert.Equal(0, await JanitorNowAsync(DateTimeOffset.UtcNow)); // nothing is old enough yet
        Assert.Equal(1, await JanitorTwoDaysLaterAsync());

        Assert.Equal(Sha256(upload), Sha256((await GetAsync("uploads/live"))!));
        Assert.Equal(Sha256(blob), Sha256((await GetAsync("blobs/d"))!));
        Assert.Equal(Bytes("small now"), await GetAsync("uploads/o"));
        Assert.Equal(0, await JanitorTwoDaysLaterAsync());
    }

    [Fact]
    public async Task Janitor_examines_a_bounded_batch_per_sweep_and_covers_everything_over_several()
    {
        for (var i = 0; i < 3; i++)
        {
            await PutAsync($"uploads/o{i}", RandomBytes(S3Driver.InlineLimit, 30 + i));
            await OverwriteBehindTheDriverAsync($"uploads/o{i}", Bytes("x"));
        }

        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        using var janitor = new S3Driver(Options(_prefix), later) { ScanBatch = 1 };
        var removed = new List<int>();
        for (var sweep = 0; sweep < 4; sweep++)
        {
            removed.Add(await janitor.RemoveAbandonedAsync(later.GetUtcNow().AddDays(-1), None));
        }

        Assert.Equal([1, 1, 1, 0], removed);
    }

    /// <summary>Runs the janitor on the real clock with the given cutoff.</summary>
    private async Task<int> JanitorNowAsync(DateTimeOffset olderThan)
    {
        using var janitor = new S3Driver(Options(_prefix), TimeProvider.System);
        return await janitor.RemoveAbandonedAsync(olderThan, None);
    }

    private async Task<List<MultipartUpload>> OpenMultipartUploadsAsync() =>
        (await _driver!.ClientForTests.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _prefix + "/" })).MultipartUploads ?? [];

    private sealed class SimulatedCrash : Exception
    {
        public SimulatedCrash()
            : base("simulated crash")
        {
        }
    }

    [Fact]
    public async Task A_blob_delete_that_dies_after_its_pointer_leaves_a_data_object_only_the_deep_scan_removes()
    {
        var content = RandomBytes(Large, 27);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        _driver!.Faults = s => s == "delete.pointer-deleted" ? throw new SimulatedCrash() : ValueTask.CompletedTask;

        await Assert.ThrowsAsync<SimulatedCrash>(async () => await Driver.DeleteAsync("blobs/d", None));
        _driver.Faults = null;

        Assert.Null(await GetAsync("blobs/d"));
        await JanitorTwoDaysLaterAsync();
        Assert.NotEmpty(await PhysicalKeysAsync()); // the data object and its live fate: a sweep takes "live" on trust

        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        using var collector = new S3Driver(Options(_prefix), later);
        Assert.Equal(1, await collector.RemoveUnreferencedAsync(later.GetUtcNow().AddDays(-1), None));
        Assert.Empty(await PhysicalKeysAsync());
    }

    [Fact]
    public async Task The_deep_scan_keeps_the_data_object_of_a_published_blob()
    {
        var content = RandomBytes(Large, 28);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        await Driver.PublishAsync("uploads/p", "blobs/d", version, None);

        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        using var collector = new S3Driver(Options(_prefix), later);
        Assert.Equal(0, await collector.RemoveUnreferencedAsync(later.GetUtcNow().AddDays(-1), None));

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
        await Driver.DeleteAsync("blobs/d", None);
    }
}
