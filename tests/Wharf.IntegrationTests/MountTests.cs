using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class MountTests
{
    [Fact]
    public async Task Mount_from_another_repository_is_201_with_location_and_digest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(500);
        var digest = await registry.PushBlobAsync("source/repo", blob);

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/repo/blobs/uploads/?mount={digest}&from=source/repo", [], null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/target/repo/blobs/{digest}", Expect.LocationPath(mount));
        Assert.Equal(digest, Expect.Header(mount, "Docker-Content-Digest"));
        using var get = await registry.GetAsync(Expect.Location(mount));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(blob, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Mount_from_a_repository_without_the_blob_is_202_with_a_usable_session()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(500);
        var digest = Digests.Sha256(blob);
        await registry.PushBlobAsync("source", TestBlobs.Random(10));

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.StartsWith("/v2/target/blobs/uploads/", Expect.LocationPath(mount), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("target", digest));
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(mount), digest), blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await registry.GetBlobBytesAsync("target", digest));
    }

    [Fact]
    public async Task Mount_when_the_blob_lives_in_a_different_repository_than_from_is_202()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("elsewhere", TestBlobs.Random(100));
        await registry.PushBlobAsync("source", TestBlobs.Random(10));

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("target", digest));
    }

    [Fact]
    public async Task Mount_from_a_repository_that_does_not_exist_is_202()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={Digests.Unknown()}&from=no/such/repo", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        using var status = await registry.GetAsync(Expect.Location(mount));
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
    }

    [Fact]
    public async Task Mount_without_from_is_201_when_the_blob_is_anywhere_in_the_registry()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(500);
        var digest = await registry.PushBlobAsync("somewhere/else", blob);

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/brand-new/blobs/uploads/?mount={digest}", [], null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/brand-new/blobs/{digest}", Expect.LocationPath(mount));
        Assert.Equal(digest, Expect.Header(mount, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("brand-new", digest));
    }

    [Fact]
    public async Task Mount_without_from_of_a_blob_already_in_the_target_is_201()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("target", TestBlobs.Random(50));

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}", [], null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
    }

    [Fact]
    public async Task Mount_without_from_of_an_unknown_blob_is_202_with_a_usable_session()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(64);
        var digest = Digests.Sha256(blob);

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.StartsWith("/v2/target/blobs/uploads/", Expect.LocationPath(mount), StringComparison.Ordinal);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(mount), digest), blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Mount_of_a_blob_deleted_from_the_source_is_202()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("source", TestBlobs.Random(64));
        using (var delete = await registry.DeleteAsync($"/v2/source/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("target", digest));
    }

    [Fact]
    public async Task Mount_of_a_sha512_blob()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(500);
        var digest = Digests.Sha512(blob);
        await registry.PushBlobAsync("source", blob, digest);

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source", [], null);

        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(digest, Expect.Header(mount, "Docker-Content-Digest"));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("target", digest));
    }

    [Fact]
    public async Task Mounted_blob_survives_deletion_from_the_source()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(500);
        var digest = await registry.PushBlobAsync("source", blob);
        using (var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source", [], null))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        using (var delete = await registry.DeleteAsync($"/v2/source/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("source", digest));
        Assert.Equal(blob, await registry.GetBlobBytesAsync("target", digest));
    }

    [Fact]
    public async Task Mount_without_from_of_a_blob_deleted_everywhere_is_202()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("source", TestBlobs.Random(64));
        using (var delete = await registry.DeleteAsync($"/v2/source/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}", [], null);

        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("target", digest));
    }
}
