using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Storage;
using Wharf.Storage.S3;

namespace Wharf.Tests.Storage.S3;

/// <summary>Large objects as data objects behind pointers, and publishing them without a copy, races included.</summary>
public sealed partial class S3DriverTests
{
    private const int Large = (6 * 1024 * 1024) + 3;

    [Fact]
    public async Task Objects_under_5_MiB_are_stored_inline_and_larger_ones_as_a_data_object_behind_a_pointer()
    {
        await PutAsync("uploads/small", RandomBytes(S3Driver.InlineLimit - 1, 1));
        await PutAsync("uploads/large", RandomBytes(S3Driver.InlineLimit, 2));

        var small = await _driver!.HeadAsync(_driver.PhysicalKey("uploads/small"), None);
        var large = await _driver.HeadAsync(_driver.PhysicalKey("uploads/large"), None);

        Assert.False(small!.Value.IsPointer);
        Assert.True(large!.Value.IsPointer);
        Assert.Equal(S3Driver.InlineLimit, large.Value.Size);
        Assert.StartsWith("_data/uploads/large/", large.Value.Data, StringComparison.Ordinal);
        Assert.Equal(["_data/uploads/large/" + large.Value.Data![^32..], "uploads/large", "uploads/small"], (await PhysicalKeysAsync()).Order(StringComparer.Ordinal));
        var pointer = await _driver.ClientForTests.GetObjectMetadataAsync(Bucket, _driver.PhysicalKey("uploads/large"));
        Assert.Equal(0, pointer.ContentLength);
    }

    [Fact]
    public async Task Publishing_a_large_upload_copies_nothing_the_destination_names_the_uploads_own_data_object()
    {
        var version = await PutVersionedAsync("uploads/p", RandomBytes(Large, 3));
        Use("blobs/d");
        var data = (await _driver!.HeadAsync(_driver.PhysicalKey("uploads/p"), None))!.Value.Data!;
        var before = await _driver.ClientForTests.GetObjectMetadataAsync(Bucket, _driver.PhysicalKey(data));

        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Equal(data, (await _driver.HeadAsync(_driver.PhysicalKey("blobs/d"), None))!.Value.Data);
        var after = await _driver.ClientForTests.GetObjectMetadataAsync(Bucket, _driver.PhysicalKey(data));
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.LastModified, after.LastModified);
        Assert.Equal(FateState.Live, (await _driver.ReadFateAsync(data, None))!.Value.State);
        Assert.Equal([data, data + S3Driver.FateSuffix, "blobs/d"], (await PhysicalKeysAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Redirect_url_of_a_large_object_serves_its_data_object_and_ranges()
    {
        var content = RandomBytes(Large, 4);
        await PutAsync("blobs/sha256/ab/large", content);

        var url = await Driver.RedirectUrlAsync("blobs/sha256/ab/large", None);

        Assert.Contains("/_data/", url!.AbsolutePath, StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal(Sha256(content), Sha256(await http.GetByteArrayAsync(url)));
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(Large - 10, null);
        using var response = await http.SendAsync(ranged);
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[^10..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_large_source_rewritten_after_its_publish_claimed_it_still_publishes_exactly_the_verified_bytes()
    {
        var verified = RandomBytes(Large, 5);
        var version = await PutVersionedAsync("uploads/p", verified);
        Use("blobs/d");
        _driver!.Faults = async step =>
        {
            if (step == "publish.claimed")
            {
                _driver.Faults = null;
                await PutAsync("uploads/p", RandomBytes(Large, 6));
            }
        };

        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Equal(Sha256(verified), Sha256((await GetAsync("blobs/d"))!));
        // The rewrite's pointer went with the source; its data object is the janitor's.
        Assert.Equal(1, await JanitorTwoDaysLaterAsync());
        Assert.Equal(Sha256(verified), Sha256((await GetAsync("blobs/d"))!));
    }

    [Fact]
    public async Task A_large_source_rewritten_before_its_publish_claimed_it_is_not_published()
    {
        var version = await PutVersionedAsync("uploads/p", RandomBytes(Large, 5));
        var rewrite = RandomBytes(Large, 6);
        Use("blobs/d");
        _driver!.Faults = async step =>
        {
            if (step == "publish.checked")
            {
                _driver.Faults = null;
                await PutAsync("uploads/p", rewrite); // releases the verified data object: it is doomed before the claim
            }
        };

        var outcome = await Driver.PublishAsync("uploads/p", "blobs/d", version, None);

        Assert.True(outcome is PublishOutcome.SourceMissing or PublishOutcome.SourceChanged, outcome.ToString());
        Assert.Null(await Driver.StatAsync("blobs/d", None));
        Assert.Equal(Sha256(rewrite), Sha256((await GetAsync("uploads/p"))!));
    }

    [Fact]
    public async Task A_small_source_rewritten_after_its_version_was_read_publishes_exactly_the_verified_bytes()
    {
        // The version and the bytes come from one GET: a rewrite after it changes neither.
        var verified = RandomBytes(1000, 7);
        var version = await PutVersionedAsync("uploads/p", verified);
        Use("blobs/d");
        _driver!.Faults = async step =>
        {
            if (step == "publish.checked")
            {
                _driver.Faults = null;
                await PutAsync("uploads/p", RandomBytes(1000, 8));
            }
        };

        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Equal(verified, await GetAsync("blobs/d"));
    }

    [Fact]
    public async Task A_small_source_rewritten_before_its_publish_is_not_published()
    {
        var version = await PutVersionedAsync("uploads/p", RandomBytes(1000, 7));
        var rewrite = RandomBytes(1000, 8);
        await PutAsync("uploads/p", rewrite);
        Use("blobs/d");

        Assert.Equal(PublishOutcome.SourceChanged, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Null(await Driver.StatAsync("blobs/d", None));
        Assert.Equal(rewrite, await GetAsync("uploads/p"));
    }

    [Fact]
    public async Task Deleting_the_upload_while_its_publish_holds_the_claim_keeps_the_published_blob_whole()
    {
        var content = RandomBytes(Large, 9);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        _driver!.Faults = async step =>
        {
            if (step == "publish.claimed")
            {
                await Driver.DeleteAsync("uploads/p", None);
            }
        };

        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        _driver.Faults = null;

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
        Assert.Equal(0, await JanitorTwoDaysLaterAsync());
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
    }

    [Fact]
    public async Task Deleting_the_upload_before_its_publish_claims_it_publishes_nothing()
    {
        var version = await PutVersionedAsync("uploads/p", RandomBytes(Large, 10));
        Use("blobs/d");
        _driver!.Faults = async step =>
        {
            if (step == "publish.checked")
            {
                await Driver.DeleteAsync("uploads/p", None);
            }
        };

        var outcome = await Driver.PublishAsync("uploads/p", "blobs/d", version, None);
        _driver.Faults = null;

        Assert.True(outcome is PublishOutcome.SourceMissing or PublishOutcome.SourceChanged, outcome.ToString());
        Assert.Null(await Driver.StatAsync("blobs/d", None));
        Assert.Empty(await PhysicalKeysAsync());
    }

    [Fact]
    public async Task Two_commits_of_one_upload_at_once_publish_it_once()
    {
        var content = RandomBytes(Large, 11);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () => await Driver.PublishAsync("uploads/p", "blobs/d", version, None))));

        Assert.Single(outcomes, o => o == PublishOutcome.Published);
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
    }

    [Fact]
    public async Task A_chunk_racing_the_commit_of_its_upload_never_releases_the_published_data()
    {
        var content = RandomBytes(Large, 12);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        await using var late = await Driver.OpenWriterAsync("uploads/p", Large, None);

        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));
        await late.WriteAsync(RandomBytes(1000, 13), None);
        await late.CommitAsync(None);

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
        await Driver.DeleteAsync("uploads/p", None); // as the upload janitor does: the chunk's session is gone
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
    }

    [Fact]
    public async Task A_reader_whose_pointer_is_replaced_before_it_reads_the_data_gets_the_new_object()
    {
        await PutAsync("blobs/target", RandomBytes(Large, 14));
        var replacement = RandomBytes(Large, 15);
        await PutAsync("uploads/u", replacement);
        _driver!.Faults = async step =>
        {
            if (step == "read.pointer-read")
            {
                _driver.Faults = null;
                await Driver.MoveAsync("uploads/u", "blobs/target", None); // replaces the pointer, releases the old data object
            }
        };

        var read = await GetAsync("blobs/target");

        Assert.Equal(Sha256(replacement), Sha256(read!));
    }

    [Fact]
    public async Task Continuing_a_large_object_at_a_small_offset_stores_the_head_inline_and_releases_the_data_object()
    {
        var content = RandomBytes(Large, 16);
        await PutAsync("uploads/u", content);

        await using (var writer = await Driver.OpenWriterAsync("uploads/u", 1000, None))
        {
            await writer.WriteAsync(Bytes("tail"), None);
            await writer.CommitAsync(None);
        }

        byte[] expected = [.. content[..1000], .. Bytes("tail")];
        Assert.Equal(expected, await GetAsync("uploads/u"));
        Assert.Equal(["uploads/u"], await PhysicalKeysAsync());
    }

    /// <summary>Runs the janitor as an instance whose clock is two days ahead would, with a one-day expiry: everything present is abandoned by its measure.</summary>
    private async Task<int> JanitorTwoDaysLaterAsync()
    {
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        using var janitor = new S3Driver(Options(_prefix), later);
        return await janitor.RemoveAbandonedAsync(later.GetUtcNow().AddDays(-1), None);
    }

    private async Task OverwriteBehindTheDriverAsync(string path, byte[] content)
    {
        using var body = new MemoryStream(content);
        await _driver!.ClientForTests.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = _driver.PhysicalKey(path), InputStream = body });
    }
}
