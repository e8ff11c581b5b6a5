using System.Net;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class UploadExpiryTests
{
    private static readonly IReadOnlyDictionary<string, string?> TenMinutes = Settings.Of(("Uploads:ExpireAfter", "00:10:00"));

    [Fact]
    public async Task Session_older_than_the_expiry_is_404_BLOB_UPLOAD_UNKNOWN()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await WharfTestServer.StartAsync(TenMinutes, time);
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var location = await registry.StartUploadAsync("app");
        using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..50], MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        location = Expect.Location(patch);

        time.Advance(TimeSpan.FromMinutes(11));
        await Task.Delay(100); // let a timer-driven sweeper run

        using var status = await registry.GetAsync(location);
        await Expect.ErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var more = await registry.SendAsync(HttpMethod.Patch, location, blob[50..], MediaTypes.OctetStream);
        await Expect.ErrorAsync(more, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob[50..], MediaTypes.OctetStream);
        await Expect.ErrorAsync(put, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Fact]
    public async Task Session_younger_than_the_expiry_still_works()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await WharfTestServer.StartAsync(TenMinutes, time);
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var location = await registry.StartUploadAsync("app");

        time.Advance(TimeSpan.FromMinutes(9));

        using var status = await registry.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Expiry_does_not_touch_completed_blobs()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await WharfTestServer.StartAsync(TenMinutes, time);
        var registry = new Registry(server);
        var blob = TestBlobs.Random(100);
        var digest = await registry.PushBlobAsync("app", blob);

        time.Advance(TimeSpan.FromHours(2));
        await Task.Delay(100);

        Assert.Equal(blob, await registry.GetBlobBytesAsync("app", digest));
    }

    [Fact]
    public async Task Upload_status_survives_a_server_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "wharf-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            var blob = TestBlobs.Random(3000);
            string location;
            await using (var first = await WharfTestServer.StartAsync(dataDirectory: data))
            {
                var registry = new Registry(first);
                location = registry.Resolve(await registry.StartUploadAsync("app")).PathAndQuery;
                using var patch = await registry.SendAsync(HttpMethod.Patch, location, blob[..1000], MediaTypes.OctetStream,
                    r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-999"));
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                location = registry.Resolve(Expect.Location(patch)).PathAndQuery;
            }

            await using var second = await WharfTestServer.StartAsync(dataDirectory: data);
            var again = new Registry(second);
            using var status = await again.GetAsync(location);
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-999", Expect.Header(status, "Range"));
            using var put = await again.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(status), Digests.Sha256(blob)), blob[1000..], MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "1000-2999"));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(blob, await again.GetBlobBytesAsync("app", Digests.Sha256(blob)));
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // leftover temp directory is harmless
            }
        }
    }

    [Fact]
    public async Task Pushed_content_survives_a_server_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "wharf-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            PushedImage image;
            await using (var first = await WharfTestServer.StartAsync(dataDirectory: data))
            {
                image = await new Registry(first).PushImageAsync("app", "v1");
            }

            await using var second = await WharfTestServer.StartAsync(dataDirectory: data);
            var registry = new Registry(second);
            using var get = await registry.GetAsync("/v2/app/manifests/v1");
            Assert.Equal(image.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(HttpStatusCode.OK, await registry.BlobStatusAsync("app", image.Config.Digest));
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // leftover temp directory is harmless
            }
        }
    }
}
