using System.Net;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>
/// An upload object rewritten behind an instance's back (as when a client sends the same chunk through two
/// instances at once and the losing instance's bytes land last) is never committed under a digest it does not match.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class RewrittenUploadTests
{
    [Fact]
    public async Task An_upload_rewritten_by_another_writer_is_rehashed_and_refused_if_it_no_longer_matches()
    {
        await using var pair = await TwoInstances.StartAsync();
        var blob = TestBlobs.Random(100_000);
        var digest = Digests.Sha256(blob);
        var location = await pair.A.StartUploadAsync("rewrite/app");
        using (var patch = await pair.A.SendAsync(HttpMethod.Patch, location, blob[..60_000], MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = Expect.LocationPathOf(patch.Headers.Location!);
        }

        var id = location.Split('?')[0].TrimEnd('/').Split('/')[^1];
        await OverwriteAsync($"{pair.Backend.Name}/uploads/{id}", TestBlobs.Random(60_000));

        using var put = await pair.A.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob[60_000..], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("DIGEST_INVALID", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await pair.B.BlobStatusAsync("rewrite/app", digest));
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData((6 * 1024 * 1024) + 1)]
    public async Task An_upload_rewritten_between_its_verification_and_its_commit_is_refused(int size)
    {
        await using var pair = await TwoInstances.StartAsync();
        var blob = TestBlobs.Random(size);
        var digest = Digests.Sha256(blob);
        var location = await pair.A.StartUploadAsync("rewrite/late");
        using (var patch = await pair.A.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = Expect.LocationPathOf(patch.Headers.Location!);
        }

        var id = location.Split('?')[0].TrimEnd('/').Split('/')[^1];
        var driver = pair.A.Server.Services.GetRequiredService<S3Driver>();
        driver.Faults = async step =>
        {
            if (step == "publish.start")
            {
                // A's running hash has just been checked against the stored version: the digest is verified.
                driver.Faults = null;
                await OverwriteAsync($"{pair.Backend.Name}/uploads/{id}", TestBlobs.Random(size));
            }
        };

        using var put = await pair.A.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("DIGEST_INVALID", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await pair.B.BlobStatusAsync("rewrite/late", digest));
        Assert.Null(await driver.StatAsync(Wharf.Core.Storage.StorageLayout.Blob(Wharf.Core.Protocol.Digest.Parse(digest)), CancellationToken.None));
    }

    private static async Task OverwriteAsync(string key, byte[] content)
    {
        using var driver = new S3Driver(
            new S3StorageOptions { Endpoint = TestEngines.S3Endpoint, Bucket = ScaleOutBackend.Bucket, AccessKey = TestEngines.S3AccessKey, SecretKey = TestEngines.S3SecretKey },
            TimeProvider.System);
        using var body = new MemoryStream(content);
        await driver.ClientForTests.PutObjectAsync(new PutObjectRequest { BucketName = ScaleOutBackend.Bucket, Key = key, InputStream = body });
    }
}
