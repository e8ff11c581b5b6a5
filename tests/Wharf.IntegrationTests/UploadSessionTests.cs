using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class UploadSessionTests
{
    [Fact]
    public async Task Status_of_a_fresh_session_is_204_with_location_and_range()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var location = await registry.StartUploadAsync("app");

        using var status = await registry.GetAsync(location);

        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.StartsWith("/v2/app/blobs/uploads/", Expect.LocationPath(status), StringComparison.Ordinal);
        Assert.Contains(Expect.Header(status, "Range"), new[] { "0-0", "0--1" });
    }

    [Fact]
    public async Task Status_after_a_patch_reports_the_received_range()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var location = await registry.StartUploadAsync("app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, TestBlobs.Random(100), MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        using var status = await registry.GetAsync(Expect.Location(patch));

        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-99", Expect.Header(status, "Range"));
        Assert.NotNull(status.Headers.Location);
    }

    [Fact]
    public async Task Delete_cancels_the_session()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var location = await registry.StartUploadAsync("app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream);
        location = Expect.Location(patch);

        using var delete = await registry.SendAsync(HttpMethod.Delete, location, [], null);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        using var status = await registry.GetAsync(location);
        await Expect.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var patchAgain = await registry.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream);
        await Expect.ErrorAsync(patchAgain, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), [], MediaTypes.OctetStream);
        await Expect.ErrorAsync(put, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var deleteAgain = await registry.DeleteAsync(location);
        await Expect.ErrorAsync(deleteAgain, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Fact]
    public async Task Completed_session_is_gone()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var location = await registry.StartUploadAsync("app");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        using var status = await registry.GetAsync(location);

        await Expect.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PATCH")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Unknown_upload_id_is_404_BLOB_UPLOAD_UNKNOWN(string method)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.StartUploadAsync("app");
        var url = $"/v2/app/blobs/uploads/{Guid.NewGuid()}";
        if (method == "PUT")
        {
            url += "?digest=" + Digests.Sha256([1, 2, 3]);
        }

        using var response = await registry.SendAsync(new HttpMethod(method), url, method is "PATCH" or "PUT" ? [1, 2, 3] : null, MediaTypes.OctetStream);

        await Expect.ErrorAsync(response, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task Malformed_upload_id_is_404_or_400_never_500()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        foreach (var id in new[] { "not-a-uuid", "x", new string('a', 300), "..." })
        {
            using var response = await registry.GetAsync($"/v2/app/blobs/uploads/{id}");
            await Expect.ErrorAsync(response, [HttpStatusCode.NotFound, HttpStatusCode.BadRequest], "BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_INVALID");
        }
    }

    [Fact]
    public async Task Session_is_bound_to_its_repository()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(50);
        var location = await registry.StartUploadAsync("team/a");
        var foreign = Expect.LocationPathOf(registry.Resolve(location)).Replace("/v2/team/a/", "/v2/team/b/", StringComparison.Ordinal);
        await registry.StartUploadAsync("team/b");

        using var status = await registry.GetAsync(foreign);
        await Expect.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(foreign, Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
        await Expect.ErrorAsync(put, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("team/b", Digests.Sha256(blob)));
    }

    [Fact]
    public async Task Put_without_digest_parameter_is_400_and_stores_nothing()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(50);
        var location = await registry.StartUploadAsync("app");

        using var put = await registry.SendAsync(HttpMethod.Put, location, blob, MediaTypes.OctetStream);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID", "BLOB_UPLOAD_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Fact]
    public async Task Parallel_sessions_in_one_repository_are_independent()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var a = TestBlobs.Random(1000);
        var b = TestBlobs.Random(1000);
        var la = await registry.StartUploadAsync("app");
        var lb = await registry.StartUploadAsync("app");

        using var pa = await registry.SendAsync(HttpMethod.Patch, la, a[..500], MediaTypes.OctetStream);
        using var pb = await registry.SendAsync(HttpMethod.Patch, lb, b[..700], MediaTypes.OctetStream);
        using var ua = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(pa), Digests.Sha256(a)), a[500..], MediaTypes.OctetStream);
        using var ub = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(pb), Digests.Sha256(b)), b[700..], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, ua.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ub.StatusCode);
        Assert.Equal(a, await registry.GetBlobBytesAsync("app", Digests.Sha256(a)));
        Assert.Equal(b, await registry.GetBlobBytesAsync("app", Digests.Sha256(b)));
    }
}
