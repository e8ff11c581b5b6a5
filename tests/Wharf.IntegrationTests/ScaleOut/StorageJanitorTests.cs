using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>The upload janitor of a server on S3 also cleans up what dead processes left in the bucket.</summary>
[Trait("Category", "ScaleOut")]
public sealed class StorageJanitorTests
{
    [Fact]
    public async Task The_upload_janitor_aborts_abandoned_multipart_uploads_and_removes_data_objects_nothing_names()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Uploads:ExpireAfter"] = "01:00:00";
        await using var server = await WharfTestServer.StartAsync(settings, time);
        var driver = server.Services.GetRequiredService<S3Driver>();
        var client = driver.ClientForTests;

        // A writer that sent a part and died: an open multipart upload of a data object.
        var dead = await driver.OpenWriterAsync("uploads/" + Guid.NewGuid().ToString("N"), 0, CancellationToken.None);
        await dead.WriteAsync(TestBlobs.Random(9 * 1024 * 1024), CancellationToken.None);
        // An upload whose pointer was replaced behind Wharf's back: its data object is named by nothing.
        var orphaned = "uploads/" + Guid.NewGuid().ToString("N");
        await using (var writer = await driver.OpenWriterAsync(orphaned, 0, CancellationToken.None))
        {
            await writer.WriteAsync(TestBlobs.Random(6 * 1024 * 1024), CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        using (var small = new MemoryStream([1, 2, 3]))
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = ScaleOutBackend.Bucket, Key = $"{backend.Name}/{orphaned}", InputStream = small });
        }

        Assert.Single(await OpenUploadsAsync(client, backend.Name));
        Assert.Single(await DataObjectsAsync(client, backend.Name));

        time.Advance(TimeSpan.FromDays(2)); // past the expiry and the sweep interval: the janitor runs
        for (var waited = 0; waited < 100 && ((await OpenUploadsAsync(client, backend.Name)).Count > 0 || (await DataObjectsAsync(client, backend.Name)).Count > 0); waited++)
        {
            await Task.Delay(100);
            // A sweep still running at the jump above waits a whole interval after it: move the clock on again.
            time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Empty(await OpenUploadsAsync(client, backend.Name));
        Assert.Empty(await DataObjectsAsync(client, backend.Name));
    }

    private static async Task<List<MultipartUpload>> OpenUploadsAsync(Amazon.S3.IAmazonS3 client, string prefix) =>
        (await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ScaleOutBackend.Bucket, Prefix = prefix + "/" })).MultipartUploads ?? [];

    private static async Task<List<S3Object>> DataObjectsAsync(Amazon.S3.IAmazonS3 client, string prefix) =>
        (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ScaleOutBackend.Bucket, Prefix = $"{prefix}/{S3Driver.DataRoot}/" })).S3Objects ?? [];
}
