using Wharf.Core.Storage;
using Wharf.Storage.S3;

namespace Wharf.Tests.Storage.S3;

/// <summary>
/// Content writers (<see cref="IContentAddressedWrites"/>): a whole blob written straight to its content-addressed path,
/// visible only once committed, create-only, and gone without a trace when not committed.
/// </summary>
public sealed partial class S3DriverTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(Large)]
    public async Task A_committed_content_writer_places_the_object_and_nothing_else(int size)
    {
        var content = RandomBytes(size, 20);
        Use("blobs/c");

        await using (var writer = await ContentWriterAsync("blobs/c"))
        {
            await writer.WriteAsync(content, None);
            Assert.Null(await Driver.StatAsync("blobs/c", None));
            await writer.CommitAsync(None);
        }

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/c"))!));
        var keys = await PhysicalKeysAsync();
        if (size < S3Driver.InlineLimit)
        {
            Assert.Equal(["blobs/c"], keys);
        }
        else
        {
            var data = (await _driver!.HeadAsync(_driver.PhysicalKey("blobs/c"), None))!.Value.Data!;
            Assert.StartsWith("_data/blobs/c/", data, StringComparison.Ordinal);
            Assert.Equal([data, "blobs/c"], keys.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(Large, false)]
    [InlineData(1000, true)]
    [InlineData(Large, true)]
    public async Task A_content_writer_disposed_or_cancelled_before_its_commit_leaves_nothing(int size, bool cancel)
    {
        await using (var writer = await ContentWriterAsync("blobs/c"))
        {
            await writer.WriteAsync(RandomBytes(size, 21), None);
            if (cancel)
            {
                await writer.CancelAsync(None);
            }
        }

        Assert.Null(await Driver.StatAsync("blobs/c", None));
        Assert.Empty(await PhysicalKeysAsync());
        // Teardown also fails on an open multipart upload: the large writer had sent a part before it was dropped.
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(Large)]
    public async Task A_content_writer_committing_over_an_existing_object_keeps_it_and_drops_its_own_bytes(int size)
    {
        var first = RandomBytes(size, 22);
        await using var late = await ContentWriterAsync("blobs/c");
        await late.WriteAsync(RandomBytes(size, 23), None);
        await PutAsync("blobs/c", first);
        var before = await PhysicalKeysAsync();

        await late.CommitAsync(None);

        Assert.Equal(Sha256(first), Sha256((await GetAsync("blobs/c"))!));
        Assert.Equal(before.Order(StringComparer.Ordinal), (await PhysicalKeysAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cancelling_a_content_writer_never_removes_the_object_already_at_its_path()
    {
        var stored = RandomBytes(Large, 24);
        await PutAsync("blobs/c", stored);

        await using (var writer = await ContentWriterAsync("blobs/c"))
        {
            await writer.WriteAsync(RandomBytes(Large, 25), None);
            await writer.CancelAsync(None);
        }

        Assert.Equal(Sha256(stored), Sha256((await GetAsync("blobs/c"))!));
    }

    [Fact]
    public async Task Of_six_concurrent_content_writers_of_one_large_blob_one_places_its_data_object()
    {
        var content = RandomBytes(Large, 26);
        Use("blobs/c");

        await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            await using var writer = await ContentWriterAsync("blobs/c");
            await writer.WriteAsync(content, None);
            await writer.CommitAsync(None);
        }));

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/c"))!));
        var data = (await _driver!.HeadAsync(_driver.PhysicalKey("blobs/c"), None))!.Value.Data!;
        Assert.Equal([data, "blobs/c"], (await PhysicalKeysAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_small_upload_whose_copy_fails_halfway_through_its_publish_leaves_no_partial_blob()
    {
        // The copy of an inline upload is a create-only writer too: a failure before its commit must not place the bytes read so far.
        var version = await PutVersionedAsync("uploads/p", RandomBytes(1_000_000, 27));
        Use("blobs/d");
        _driver!.Faults = step => step == "publish.inline-copying" ? throw new IOException("connection lost") : ValueTask.CompletedTask;

        await Assert.ThrowsAsync<IOException>(async () => await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Null(await Driver.StatAsync("blobs/d", None));
    }

    private ValueTask<IStorageWriter> ContentWriterAsync(string destination) =>
        ((IContentAddressedWrites)Driver).OpenContentWriterAsync(destination, None);
}
