using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class DeleteTests
{
    [Fact]
    public async Task Delete_by_tag_removes_only_the_tag()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "v1");
        await registry.PushManifestAsync("app", "v2", image.Manifest);

        using var delete = await registry.DeleteAsync("/v2/app/manifests/v1");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var gone = await registry.GetAsync("/v2/app/manifests/v1");
        await Expect.ErrorAsync(gone, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("app", image.Digest));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("app", "v2"));
        Assert.Equal(["v2"], await registry.TagsAsync("app"));
    }

    [Fact]
    public async Task Delete_by_digest_removes_the_manifest_and_all_its_tags()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "v1");
        await registry.PushManifestAsync("app", "v2", image.Manifest);
        var other = await registry.PushImageAsync("app", "keep");

        using var delete = await registry.DeleteAsync($"/v2/app/manifests/{image.Digest}");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        foreach (var reference in new[] { image.Digest, "v1", "v2" })
        {
            using var get = await registry.GetAsync($"/v2/app/manifests/{reference}");
            await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        Assert.Equal(["keep"], await registry.TagsAsync("app"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("app", other.Digest));
    }

    [Fact]
    public async Task Delete_of_unknown_manifest_is_404_MANIFEST_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "v1");

        using var byDigest = await registry.DeleteAsync($"/v2/app/manifests/{Digests.Unknown()}");
        await Expect.ErrorAsync(byDigest, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byTag = await registry.DeleteAsync("/v2/app/manifests/nope");
        await Expect.ErrorAsync(byTag, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var inUnknownRepo = await registry.DeleteAsync($"/v2/no/such/manifests/{Digests.Unknown()}");
        await Expect.ErrorAsync(inUnknownRepo, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Delete_blob_then_it_is_404_BLOB_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("app", TestBlobs.Random(100));

        using var delete = await registry.DeleteAsync($"/v2/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var get = await registry.GetAsync($"/v2/app/blobs/{digest}");
        await Expect.ErrorAsync(get, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", digest));
        using var again = await registry.DeleteAsync($"/v2/app/blobs/{digest}");
        await Expect.ErrorAsync(again, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Fact]
    public async Task Delete_of_unknown_blob_is_404_BLOB_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", TestBlobs.Random(10));

        using var delete = await registry.DeleteAsync($"/v2/app/blobs/{Digests.Unknown()}");

        await Expect.ErrorAsync(delete, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Fact]
    public async Task Deleting_a_blob_in_one_repository_keeps_it_in_another()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var digest = await registry.PushBlobAsync("team/a", blob);
        await registry.PushBlobAsync("team/b", blob);

        using var delete = await registry.DeleteAsync($"/v2/team/a/blobs/{digest}");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("team/a", digest));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("team/b", digest));
    }

    [Fact]
    public async Task Deleted_blob_can_be_pushed_again()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var digest = await registry.PushBlobAsync("app", blob);
        using (var delete = await registry.DeleteAsync($"/v2/app/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await registry.PushBlobAsync("app", blob);

        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Deleted_manifest_can_be_pushed_again()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "v1");
        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await registry.PushManifestAsync("app", "v1", image.Manifest);

        using var get = await registry.GetAsync("/v2/app/manifests/v1");
        Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Deleting_the_only_tag_leaves_an_empty_or_missing_tag_list()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("app", "tagtest0");

        using (var delete = await registry.DeleteAsync("/v2/app/manifests/tagtest0"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var list = await registry.GetAsync("/v2/app/tags/list");
        if (list.StatusCode == HttpStatusCode.OK)
        {
            Assert.Empty(await Json.TagsAsync(list));
        }
        else
        {
            await Expect.ErrorAsync(list, HttpStatusCode.NotFound, "NAME_UNKNOWN");
        }
    }

    [Fact]
    public async Task Index_and_its_children_can_be_deleted_parent_first()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var child = await registry.PushImageAsync("app");
        var index = ManifestJson.Index([child.Descriptor with { Platform = ("linux", "amd64") }]);
        var indexDigest = await registry.PushManifestAsync("app", "multi", index, MediaTypes.OciIndex);

        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{indexDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{child.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        foreach (var blob in child.Layers.Append(child.Config))
        {
            using var delete = await registry.DeleteAsync($"/v2/app/blobs/{blob.Digest}");
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", blob.Digest));
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", "multi"));
    }

    [Fact]
    public async Task Subject_can_be_deleted_before_its_referrers()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("app", "v1");
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var sig = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject.Descriptor, "application/vnd.example.sig");
        var sigDigest = await registry.PushManifestAsync("app", Digests.Sha256(sig), sig);

        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{subject.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var deleteSig = await registry.DeleteAsync($"/v2/app/manifests/{sigDigest}");
        Assert.Equal(HttpStatusCode.Accepted, deleteSig.StatusCode);
    }
}
