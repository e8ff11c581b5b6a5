namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task The_repositories_holding_a_blob_list_in_lexical_order_up_to_the_limit()
    {
        var digest = await LinkBlobAsync("zeta", "shared");
        await LinkBlobAsync("alpha", "shared");
        await LinkBlobAsync("mid/dle", "shared");
        await LinkBlobAsync("other", "not-shared");

        Assert.Equal(["alpha", "mid/dle", "zeta"], await Blobs.ListRepositoriesAsync(digest, 10, None));
        Assert.Equal(["alpha", "mid/dle"], await Blobs.ListRepositoriesAsync(digest, 2, None));
        Assert.Empty(await Blobs.ListRepositoriesAsync(BlobDigest("nowhere"), 10, None));
    }

    [Fact]
    public async Task An_unlinked_blob_is_no_longer_listed_for_that_repository()
    {
        var digest = await LinkBlobAsync("a", "gone");
        await LinkBlobAsync("b", "gone");

        await Blobs.UnlinkAsync("a", digest, None);

        Assert.Equal(["b"], await Blobs.ListRepositoriesAsync(digest, 10, None));
    }
}
