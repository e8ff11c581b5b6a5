using Wharf.Core.Storage;

namespace Wharf.Tests.Storage;

public abstract partial class StorageDriverContract
{
    /// <summary>Sizes on both sides of the S3 driver's inline limit (5 MiB), where publishing switches from copying to pointing.</summary>
    public static TheoryData<int> PublishSizes => new() { 1000, (6 * 1024 * 1024) + 7 };

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Publish_places_the_source_at_the_destination_and_removes_the_source(int size)
    {
        var content = RandomBytes(size, 11);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/sha256/ab/abc");

        var outcome = await Driver.PublishAsync("uploads/p", "blobs/sha256/ab/abc", version, None);

        Assert.Equal(PublishOutcome.Published, outcome);
        Assert.Null(await Driver.StatAsync("uploads/p", None));
        Assert.Equal(size, (await Driver.StatAsync("blobs/sha256/ab/abc", None))!.Value.Size);
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/sha256/ab/abc"))!));
        Assert.Equal(content[(size - 100)..], await GetAsync("blobs/sha256/ab/abc", size - 100));
        Assert.Empty((await GetAsync("blobs/sha256/ab/abc", size))!);
    }

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Publish_never_replaces_an_existing_destination_and_removes_the_source(int size)
    {
        await PutAsync("blobs/d", Bytes("already here"));
        var version = await PutVersionedAsync("uploads/p", RandomBytes(size, 12));

        var outcome = await Driver.PublishAsync("uploads/p", "blobs/d", version, None);

        Assert.Equal(PublishOutcome.DestinationExisted, outcome);
        Assert.Equal(Bytes("already here"), await GetAsync("blobs/d"));
        Assert.Null(await Driver.StatAsync("uploads/p", None));
    }

    [Fact]
    public async Task Publish_of_a_missing_source_reports_it_and_writes_nothing()
    {
        Use("blobs/d");
        Assert.Equal(PublishOutcome.SourceMissing, await Driver.PublishAsync("uploads/none", "blobs/d", null, None));
        Assert.Null(await Driver.StatAsync("blobs/d", None));
    }

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Publish_of_a_source_that_no_longer_has_the_verified_version_publishes_nothing(int size)
    {
        var verified = await PutVersionedAsync("uploads/p", RandomBytes(size, 13));
        var rewritten = RandomBytes(size, 14);
        var current = await PutVersionedAsync("uploads/p", rewritten);
        Use("blobs/d");

        var outcome = await Driver.PublishAsync("uploads/p", "blobs/d", verified ?? "not-its-version", None);

        Assert.Equal(PublishOutcome.SourceChanged, outcome);
        Assert.Null(await Driver.StatAsync("blobs/d", None));
        Assert.Equal(Sha256(rewritten), Sha256((await GetAsync("uploads/p"))!));
        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", current, None));
        Assert.Equal(Sha256(rewritten), Sha256((await GetAsync("blobs/d"))!));
    }

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Concurrent_publishes_to_one_destination_place_exactly_one_object_and_remove_every_source(int size)
    {
        var content = RandomBytes(size, 15);
        var sources = Enumerable.Range(0, 6).Select(i => $"uploads/c{i}").ToList();
        var versions = new List<string?>();
        foreach (var source in sources)
        {
            versions.Add(await PutVersionedAsync(source, content));
        }

        Use("blobs/d");

        var outcomes = await Task.WhenAll(sources.Select((s, i) => Task.Run(async () => await Driver.PublishAsync(s, "blobs/d", versions[i], None))));

        Assert.Single(outcomes, o => o == PublishOutcome.Published);
        Assert.All(outcomes, o => Assert.True(o is PublishOutcome.Published or PublishOutcome.DestinationExisted, o.ToString()));
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
        foreach (var source in sources)
        {
            Assert.Null(await Driver.StatAsync(source, None));
        }
    }

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Writing_and_deleting_the_source_path_again_after_a_publish_leaves_the_destination_whole(int size)
    {
        var content = RandomBytes(size, 16);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        await PutAsync("uploads/p", RandomBytes(size, 17));
        await Driver.DeleteAsync("uploads/p", None);
        await Driver.DeleteAsync("uploads", None);

        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/d"))!));
    }

    [Theory]
    [MemberData(nameof(PublishSizes))]
    public async Task Deleting_a_published_destination_removes_it(int size)
    {
        var version = await PutVersionedAsync("uploads/p", RandomBytes(size, 18));
        Use("blobs/d");
        Assert.Equal(PublishOutcome.Published, await Driver.PublishAsync("uploads/p", "blobs/d", version, None));

        await Driver.DeleteAsync("blobs/d", None);

        Assert.Null(await Driver.StatAsync("blobs/d", None));
        Assert.Null(await GetAsync("blobs/d"));
    }

    /// <summary>Writes an object and returns the version its writer reported (null for drivers without versions).</summary>
    protected async Task<string?> PutVersionedAsync(string path, byte[] content)
    {
        Use(path);
        await using var writer = await Driver.OpenWriterAsync(path, 0, None);
        await writer.WriteAsync(content, None);
        await writer.CommitAsync(None);
        Assert.Equal(writer.Version, (await Driver.StatAsync(path, None))?.Version);
        return writer.Version;
    }
}
