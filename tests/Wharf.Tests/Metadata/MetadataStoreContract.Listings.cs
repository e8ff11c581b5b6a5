using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Tags_list_in_lexical_order_with_last_and_limit()
    {
        var manifest = await PushImageAsync("a", "m");
        string[] tags = ["v2", "V1", "latest", "_x", "1.0", "v10", "A", "v1"];
        foreach (var tag in tags)
        {
            await Writer.PutAsync("a", manifest, tag, None);
        }

        var ordered = tags.Order(StringComparer.Ordinal).ToArray(); // 1.0 A V1 _x latest v1 v10 v2
        AssertPage(ordered, false, await Reader.ListTagsAsync("a", null, 100, None));
        AssertPage(ordered[..3], true, await Reader.ListTagsAsync("a", null, 3, None));
        AssertPage(ordered[3..6], true, await Reader.ListTagsAsync("a", ordered[2], 3, None));
        AssertPage(ordered[6..], false, await Reader.ListTagsAsync("a", ordered[5], 3, None));
        AssertPage(ordered[6..], false, await Reader.ListTagsAsync("a", ordered[5], 2, None));
        AssertPage(ordered[4..], false, await Reader.ListTagsAsync("a", "a", 100, None));
        AssertPage([], false, await Reader.ListTagsAsync("a", "zzz", 100, None));
    }

    [Fact]
    public async Task Tags_list_of_an_unknown_repository_is_null_and_of_an_untagged_one_is_empty()
    {
        Assert.Null(await Reader.ListTagsAsync("unknown", null, 10, None));
        await PushImageAsync("untagged", "m");
        AssertPage([], false, await Reader.ListTagsAsync("untagged", null, 10, None));
    }

    [Fact]
    public async Task Catalog_lists_repositories_in_lexical_order_with_paging()
    {
        string[] names = ["b", "a/b", "a", "a-b", "a/a", "z/y/x", "0"];
        foreach (var name in names)
        {
            await LinkBlobAsync(name, "blob");
        }

        var ordered = names.Order(StringComparer.Ordinal).ToArray(); // 0 a a-b a/a a/b b z/y/x
        AssertPage(ordered, false, await Repositories.ListAsync(null, 100, None));
        AssertPage(ordered[..2], true, await Repositories.ListAsync(null, 2, None));
        AssertPage(ordered[2..5], true, await Repositories.ListAsync(ordered[1], 3, None));
        AssertPage(ordered[5..], false, await Repositories.ListAsync(ordered[4], 3, None));
        AssertPage([], false, await Repositories.ListAsync("zzz", 3, None));
    }

    [Fact]
    public async Task Empty_catalog_is_an_empty_page() =>
        AssertPage([], false, await Repositories.ListAsync(null, 10, None));

    [Fact]
    public async Task Referrers_are_the_manifests_whose_subject_matches_filtered_by_artifact_type()
    {
        var target = await PushImageAsync("a", "target", "latest");
        var config = await LinkBlobAsync("a", "empty");
        var sig = Image("sig", [config], target.Digest, "application/vnd.example.sig", "{\"k\":\"v\"}");
        var sbom = Image("sbom", [config], target.Digest, "application/vnd.example.sbom");
        var unrelated = Image("unrelated", [config], BlobDigest("other-subject"), "application/vnd.example.sig");
        foreach (var m in new[] { sig, sbom, unrelated })
        {
            Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", m, null, None)).Status);
        }

        await PushImageAsync("b", "b-target");
        var elsewhere = Image("elsewhere", [await LinkBlobAsync("b", "empty")], target.Digest, "application/vnd.example.sig");
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("b", elsewhere, null, None)).Status);

        var all = await Reader.ListReferrersAsync("a", target.Digest, null, None);
        Assert.Equal(new[] { sig.Digest, sbom.Digest }.OrderBy(d => d.Value, StringComparer.Ordinal), all.Select(r => r.Digest));

        var sigs = Assert.Single(await Reader.ListReferrersAsync("a", target.Digest, "application/vnd.example.sig", None));
        Assert.Equal(new Referrer(sig.Digest, MediaTypes.OciManifest, sig.Payload.Length, "application/vnd.example.sig", "{\"k\":\"v\"}"), sigs);

        Assert.Empty(await Reader.ListReferrersAsync("a", target.Digest, "application/vnd.example.none", None));
        Assert.Empty(await Reader.ListReferrersAsync("unknown", target.Digest, null, None));
    }

    [Fact]
    public async Task Referrers_may_point_at_a_subject_that_is_not_stored()
    {
        var config = await LinkBlobAsync("a", "empty");
        var absent = BlobDigest("absent-subject");
        var sig = Image("sig", [config], absent, "application/vnd.example.sig");
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", sig, null, None)).Status);

        Assert.Equal([sig.Digest], (await Reader.ListReferrersAsync("a", absent, null, None)).Select(r => r.Digest));
    }

    [Fact]
    public async Task Deleted_referrer_is_no_longer_listed()
    {
        var config = await LinkBlobAsync("a", "empty");
        var subject = BlobDigest("s");
        var sig = Image("sig", [config], subject);
        await Writer.PutAsync("a", sig, null, None);

        await Writer.DeleteAsync("a", sig.Digest, None);

        Assert.Empty(await Reader.ListReferrersAsync("a", subject, null, None));
    }

    private static void AssertPage(IEnumerable<string> items, bool hasMore, Page<string>? page)
    {
        Assert.NotNull(page);
        Assert.Equal(items, page.Items);
        Assert.Equal(hasMore, page.HasMore);
    }
}
