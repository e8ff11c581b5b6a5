using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Unknown_blob_is_null_globally_and_in_a_repository()
    {
        Assert.Null(await Blobs.GetAsync(BlobDigest("x"), None));
        Assert.Null(await Blobs.GetInRepositoryAsync("a", BlobDigest("x"), None));
    }

    [Fact]
    public async Task Linked_blob_is_visible_in_its_repository_and_globally_but_not_elsewhere()
    {
        var digest = await LinkBlobAsync("team/app", "b", size: 1234);
        await LinkBlobAsync("other", "unrelated");

        Assert.Equal(new BlobInfo(digest, 1234), await Blobs.GetAsync(digest, None));
        Assert.Equal(new BlobInfo(digest, 1234), await Blobs.GetInRepositoryAsync("team/app", digest, None));
        Assert.Null(await Blobs.GetInRepositoryAsync("other", digest, None));
        Assert.Null(await Blobs.GetInRepositoryAsync("team", digest, None));
    }

    [Fact]
    public async Task Link_is_idempotent()
    {
        var digest = await LinkBlobAsync("a", "b", size: 7);
        await LinkBlobAsync("a", "b", size: 7);

        Assert.Equal(7, (await Blobs.GetInRepositoryAsync("a", digest, None))!.Size);
        Assert.True(await Blobs.UnlinkAsync("a", digest, None));
        Assert.Null(await Blobs.GetInRepositoryAsync("a", digest, None));
    }

    [Fact]
    public async Task Link_creates_the_repository()
    {
        await LinkBlobAsync("fresh/repo", "b");
        Assert.Equal(["fresh/repo"], await CatalogAsync());
    }

    [Fact]
    public async Task Unlink_hides_the_blob_from_one_repository_only()
    {
        var digest = await LinkBlobAsync("a", "shared");
        await LinkBlobAsync("b", "shared");

        Assert.True(await Blobs.UnlinkAsync("a", digest, None));

        Assert.Null(await Blobs.GetInRepositoryAsync("a", digest, None));
        Assert.NotNull(await Blobs.GetInRepositoryAsync("b", digest, None));
        Assert.NotNull(await Blobs.GetAsync(digest, None));
    }

    [Fact]
    public async Task Unlink_of_an_invisible_blob_is_false()
    {
        var digest = await LinkBlobAsync("a", "b");
        Assert.False(await Blobs.UnlinkAsync("other", digest, None));
        Assert.False(await Blobs.UnlinkAsync("a", BlobDigest("never"), None));
        Assert.True(await Blobs.UnlinkAsync("a", digest, None));
        Assert.False(await Blobs.UnlinkAsync("a", digest, None));
    }

    [Fact]
    public async Task Blob_unlinked_from_every_repository_is_unknown_globally()
    {
        var digest = await LinkBlobAsync("a", "shared");
        await LinkBlobAsync("b", "shared");

        await Blobs.UnlinkAsync("a", digest, None);
        await Blobs.UnlinkAsync("b", digest, None);

        Assert.Null(await Blobs.GetAsync(digest, None));
    }

    [Fact]
    public async Task Link_with_a_completed_upload_removes_its_session()
    {
        var session = new UploadSession(UploadId.New(), "a", 100, Time.GetUtcNow(), Time.GetUtcNow());
        var other = session with { Id = UploadId.New() };
        await Uploads.CreateAsync(session, None);
        await Uploads.CreateAsync(other, None);

        await Blobs.LinkAsync("a", new BlobInfo(BlobDigest("b"), 100), session.Id, None);

        Assert.Null(await Uploads.GetAsync(session.Id, None));
        Assert.NotNull(await Uploads.GetAsync(other.Id, None));
        Assert.NotNull(await Blobs.GetInRepositoryAsync("a", BlobDigest("b"), None));
    }
}
