using Wharf.Core.Metadata;

namespace Wharf.Tests.Metadata;

/// <summary>A read after a write sees the write, even when the first read was served earlier (and cached).</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Tag_read_after_an_overwrite_sees_the_new_manifest()
    {
        await PushImageAsync("a", "first", "latest");
        Assert.NotNull(await Reader.GetByTagAsync("a", "latest", None));

        var second = await PushImageAsync("a", "second", "latest");

        Assert.Equal(second.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);
    }

    [Fact]
    public async Task Reads_after_a_delete_by_digest_see_nothing()
    {
        var manifest = await PushImageAsync("a", "m", "latest");
        Assert.NotNull(await Reader.GetAsync("a", manifest.Digest, None));
        Assert.NotNull(await Reader.GetByTagAsync("a", "latest", None));

        await Writer.DeleteAsync("a", manifest.Digest, None);

        Assert.Null(await Reader.GetAsync("a", manifest.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
    }

    [Fact]
    public async Task Tag_read_after_a_tag_delete_sees_nothing()
    {
        await PushImageAsync("a", "m", "latest");
        Assert.NotNull(await Reader.GetByTagAsync("a", "latest", None));

        await Writer.DeleteTagAsync("a", "latest", None);

        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
    }

    [Fact]
    public async Task Tag_read_after_a_conditional_tag_delete_sees_what_the_store_holds()
    {
        var first = await PushImageAsync("a", "first", "latest");
        Assert.Equal(first.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);

        // Refused: the cached tag must still be the store's.
        var second = await PushImageAsync("a", "second", "latest");
        Assert.Equal(ConditionalTagDelete.TagMoved, await Writer.DeleteTagIfAsync("a", "latest", first.Digest, None));
        Assert.Equal(second.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);

        Assert.Equal(ConditionalTagDelete.Deleted, await Writer.DeleteTagIfAsync("a", "latest", second.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
    }

    [Fact]
    public async Task Blob_read_after_an_unlink_sees_nothing()
    {
        var digest = await LinkBlobAsync("a", "b");
        Assert.NotNull(await Blobs.GetInRepositoryAsync("a", digest, None));

        await Blobs.UnlinkAsync("a", digest, None);

        Assert.Null(await Blobs.GetInRepositoryAsync("a", digest, None));
    }

    [Fact]
    public async Task Miss_followed_by_a_write_is_not_remembered()
    {
        Assert.Null(await Blobs.GetInRepositoryAsync("a", BlobDigest("b"), None));
        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));

        await PushImageAsync("a", "m", "latest");
        await LinkBlobAsync("a", "b");

        Assert.NotNull(await Blobs.GetInRepositoryAsync("a", BlobDigest("b"), None));
        Assert.NotNull(await Reader.GetByTagAsync("a", "latest", None));
    }
}
