using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Put_with_a_missing_blob_is_refused_naming_it_and_leaves_no_repository()
    {
        var manifest = Image("m", [BlobDigest("config"), BlobDigest("layer")]);

        var result = await Writer.PutAsync("new/repo", manifest, "latest", None);

        Assert.Equal(new ManifestPutResult(ManifestPutStatus.BlobUnknown, BlobDigest("config")), result);
        Assert.Empty(await CatalogAsync());
        Assert.Null(await Reader.ListTagsAsync("new/repo", null, 10, None));
        Assert.Null(await Reader.GetAsync("new/repo", manifest.Digest, None));
    }

    [Fact]
    public async Task Put_names_the_first_missing_blob_when_others_are_present()
    {
        var config = await LinkBlobAsync("a", "config");
        var manifest = Image("m", [config, BlobDigest("missing")]);

        var result = await Writer.PutAsync("a", manifest, "latest", None);

        Assert.Equal(new ManifestPutResult(ManifestPutStatus.BlobUnknown, BlobDigest("missing")), result);
        Assert.Null(await Reader.GetAsync("a", manifest.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
    }

    [Fact]
    public async Task Put_with_a_blob_of_another_repository_is_blob_unknown()
    {
        var config = await LinkBlobAsync("other", "config");
        var result = await Writer.PutAsync("a", Image("m", [config]), null, None);

        Assert.Equal(ManifestPutStatus.BlobUnknown, result.Status);
        Assert.Equal(["other"], await CatalogAsync());
    }

    [Fact]
    public async Task Put_of_an_index_with_a_missing_child_is_manifest_unknown_and_leaves_no_repository()
    {
        var child = Image("child", []);
        var result = await Writer.PutAsync("idx", Index("i", [child.Digest]), "multi", None);

        Assert.Equal(new ManifestPutResult(ManifestPutStatus.ManifestUnknown, child.Digest), result);
        Assert.Empty(await CatalogAsync());
    }

    [Fact]
    public async Task Put_of_an_index_needs_its_children_in_the_same_repository()
    {
        var child = await PushImageAsync("elsewhere", "child");
        Assert.Equal(ManifestPutStatus.ManifestUnknown, (await Writer.PutAsync("idx", Index("i", [child.Digest]), null, None)).Status);

        var local = await PushImageAsync("idx", "child");
        var index = Index("i", [local.Digest]);
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("idx", index, "multi", None)).Status);
        Assert.Equal(index.Payload, (await Reader.GetByTagAsync("idx", "multi", None))!.Payload);
    }

    [Fact]
    public async Task Stored_manifest_reads_back_byte_exact_by_digest_and_tag()
    {
        var config = await LinkBlobAsync("a", "config");
        var subject = BlobDigest("subject-manifest");
        var manifest = Image("m", [config], subject, "application/vnd.example.sig", "{\"k\":\"v\"}");

        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", manifest, "v1", None)).Status);

        var expected = new StoredManifest(manifest.Digest, MediaTypes.OciManifest, manifest.Payload, "application/vnd.example.sig", subject, "{\"k\":\"v\"}");
        AssertStored(expected, await Reader.GetAsync("a", manifest.Digest, None));
        AssertStored(expected, await Reader.GetByTagAsync("a", "v1", None));
    }

    [Fact]
    public async Task Manifest_is_not_visible_in_another_repository()
    {
        var manifest = await PushImageAsync("a", "m", "latest");
        await PushImageAsync("b", "other", "latest");

        Assert.Null(await Reader.GetAsync("b", manifest.Digest, None));
        Assert.NotEqual(manifest.Digest, (await Reader.GetByTagAsync("b", "latest", None))!.Digest);
        Assert.Null(await Reader.GetByTagAsync("c", "latest", None));
    }

    [Fact]
    public async Task Put_is_idempotent()
    {
        var manifest = await PushImageAsync("a", "m", "latest");
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", manifest, "latest", None)).Status);
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", manifest, null, None)).Status);

        Assert.Equal(["latest"], (await Reader.ListTagsAsync("a", null, 10, None))!.Items);
        Assert.Equal(manifest.Payload, (await Reader.GetAsync("a", manifest.Digest, None))!.Payload);
    }

    [Fact]
    public async Task Tag_overwrite_points_the_tag_at_the_last_manifest()
    {
        var first = await PushImageAsync("a", "first", "latest");
        var second = await PushImageAsync("a", "second", "latest");

        Assert.Equal(second.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);
        Assert.NotNull(await Reader.GetAsync("a", first.Digest, None));
        Assert.Equal(["latest"], (await Reader.ListTagsAsync("a", null, 10, None))!.Items);
    }

    [Fact]
    public async Task Delete_by_digest_removes_the_manifest_and_its_tags_only()
    {
        var doomed = await PushImageAsync("a", "doomed", "v1");
        await Writer.PutAsync("a", doomed, "v2", None);
        var kept = await PushImageAsync("a", "kept", "v3");

        Assert.True(await Writer.DeleteAsync("a", doomed.Digest, None));

        Assert.Null(await Reader.GetAsync("a", doomed.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("a", "v1", None));
        Assert.Equal(["v3"], (await Reader.ListTagsAsync("a", null, 10, None))!.Items);
        Assert.Equal(kept.Digest, (await Reader.GetByTagAsync("a", "v3", None))!.Digest);
        Assert.False(await Writer.DeleteAsync("a", doomed.Digest, None));
        Assert.False(await Writer.DeleteAsync("unknown", doomed.Digest, None));
    }

    [Fact]
    public async Task Deleted_manifest_can_be_pushed_again()
    {
        var manifest = await PushImageAsync("a", "m", "latest");
        await Writer.DeleteAsync("a", manifest.Digest, None);

        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", manifest, "again", None)).Status);
        Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("a", "again", None))!.Digest);
    }

    [Fact]
    public async Task Delete_tag_keeps_the_manifest()
    {
        var manifest = await PushImageAsync("a", "m", "latest");

        Assert.True(await Writer.DeleteTagAsync("a", "latest", None));

        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
        Assert.NotNull(await Reader.GetAsync("a", manifest.Digest, None));
        Assert.False(await Writer.DeleteTagAsync("a", "latest", None));
        Assert.False(await Writer.DeleteTagAsync("unknown", "latest", None));
    }

    [Fact]
    public async Task Conditional_tag_delete_removes_the_tag_only_while_it_points_to_the_expected_manifest()
    {
        var first = await PushImageAsync("a", "first", "latest");
        var second = await PushImageAsync("a", "second", "latest");

        Assert.Equal(ConditionalTagDelete.TagMoved, await Writer.DeleteTagIfAsync("a", "latest", first.Digest, None));
        Assert.Equal(second.Digest, (await Reader.GetByTagAsync("a", "latest", None))!.Digest);

        Assert.Equal(ConditionalTagDelete.Deleted, await Writer.DeleteTagIfAsync("a", "latest", second.Digest, None));
        Assert.Null(await Reader.GetByTagAsync("a", "latest", None));
        Assert.NotNull(await Reader.GetAsync("a", second.Digest, None));
        Assert.NotNull(await Reader.GetAsync("a", first.Digest, None));

        Assert.Equal(ConditionalTagDelete.TagUnknown, await Writer.DeleteTagIfAsync("a", "latest", second.Digest, None));
        Assert.Equal(ConditionalTagDelete.TagUnknown, await Writer.DeleteTagIfAsync("unknown", "latest", second.Digest, None));
    }

    [Fact]
    public async Task Conditional_tag_delete_leaves_other_tags_of_the_manifest()
    {
        var manifest = await PushImageAsync("a", "m", "v1");
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("a", manifest, "v1-again", None)).Status);
        await PushImageAsync("b", "m", "v1");

        Assert.Equal(ConditionalTagDelete.Deleted, await Writer.DeleteTagIfAsync("a", "v1", manifest.Digest, None));

        Assert.Equal(["v1-again"], (await Reader.ListTagsAsync("a", null, 10, None))!.Items);
        Assert.Equal(manifest.Digest, (await Reader.GetByTagAsync("b", "v1", None))!.Digest);
    }

    private static void AssertStored(StoredManifest expected, StoredManifest? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Digest, actual.Digest);
        Assert.Equal(expected.MediaType, actual.MediaType);
        Assert.Equal(expected.Payload, actual.Payload);
        Assert.Equal(expected.ArtifactType, actual.ArtifactType);
        Assert.Equal(expected.Subject, actual.Subject);
        Assert.Equal(expected.AnnotationsJson, actual.AnnotationsJson);
    }
}
