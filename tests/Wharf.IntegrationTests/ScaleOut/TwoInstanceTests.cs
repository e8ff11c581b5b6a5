using System.Net;
using Amazon.S3.Model;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>Stateless instances: any instance serves any request of any push or pull.</summary>
[Trait("Category", "ScaleOut")]
public sealed class TwoInstanceTests
{
    [Fact]
    public async Task A_chunked_upload_alternating_between_instances_completes_with_the_right_bytes()
    {
        await using var pair = await TwoInstances.StartAsync();
        var blob = TestBlobs.Random((13 * 1024 * 1024) + 77); // beyond two S3 parts, with chunks both above and below 5 MiB
        var digest = Digests.Sha256(blob);
        var location = await pair.A.StartUploadAsync("shared/app");
        int[] bounds = [0, 6 * 1024 * 1024, (6 * 1024 * 1024) + 1000, 12 * 1024 * 1024, blob.Length - 10];
        for (var i = 0; i < bounds.Length - 1; i++)
        {
            var via = i % 2 == 0 ? pair.A : pair.B;
            var (start, end) = (bounds[i], bounds[i + 1]);
            using var patch = await via.SendAsync(HttpMethod.Patch, location, blob[start..end], MediaTypes.OctetStream, r =>
                r.Content!.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end - 1}"));
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{end - 1}", Expect.Header(patch, "Range"));
            location = Expect.LocationPathOf(patch.Headers.Location!);
        }

        using var put = await pair.B.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob[(blob.Length - 10)..], MediaTypes.OctetStream);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await pair.A.GetBlobBytesAsync("shared/app", digest));
        Assert.Equal(blob, await pair.B.GetBlobBytesAsync("shared/app", digest));
    }

    [Fact]
    public async Task A_tag_written_on_one_instance_is_served_by_the_other_at_once()
    {
        // With the caches off, strictly at once; with them on, once announced (CacheInvalidationTwoInstanceTests).
        await using var pair = await TwoInstances.StartAsync(("Cache:Enabled", "false"));
        var first = await pair.A.PushImageAsync("team/app", "latest");
        using (var served = await pair.B.GetAsync("/v2/team/app/manifests/latest"))
        {
            Assert.Equal(first.Digest, Expect.Header(served, "Docker-Content-Digest"));
        }

        var second = await pair.B.PushImageAsync("team/app", "latest");

        using var moved = await pair.A.GetAsync("/v2/team/app/manifests/latest");
        Assert.Equal(second.Digest, Expect.Header(moved, "Docker-Content-Digest"));
        Assert.Equal(["latest"], await pair.A.TagsAsync("team/app"));
    }

    [Fact]
    public async Task Twenty_concurrent_pushes_of_one_image_through_both_instances_end_with_one_set_of_blobs_and_the_tag()
    {
        await using var pair = await TwoInstances.StartAsync();
        var config = TestBlobs.Config();
        var layers = Enumerable.Range(0, 3).Select(i => TestBlobs.Random((64 * 1024) + i)).ToArray();
        var manifest = ManifestJson.Image(
            Descriptor.For(MediaTypes.OciConfig, config),
            [.. layers.Select(l => Descriptor.For(MediaTypes.OciLayerGzip, l))]);

        var pushes = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var via = i % 2 == 0 ? pair.A : pair.B;
            foreach (var blob in layers.Prepend(config))
            {
                var location = await via.StartUploadAsync("race/app");
                using var put = await via.SendAsync(HttpMethod.Put, Registry.PutUrl(location, Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            return await via.PushManifestAsync("race/app", "v1", manifest);
        })).ToList();
        var digests = await Task.WhenAll(pushes);

        Assert.All(digests, d => Assert.Equal(Digests.Sha256(manifest), d));
        using var served = await pair.B.GetAsync("/v2/race/app/manifests/v1");
        Assert.Equal(manifest, await served.Content.ReadAsByteArrayAsync());
        foreach (var blob in layers.Prepend(config))
        {
            Assert.Equal(blob, await pair.A.GetBlobBytesAsync("race/app", Digests.Sha256(blob)));
        }

        var keys = await KeysAsync(pair.Backend.Name);
        Assert.Equal(
            layers.Prepend(config).Select(b => Digests.Sha256(b)["sha256:".Length..]).Order(StringComparer.Ordinal),
            keys.Select(k => k.Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.StartsWith(pair.Backend.Name + "/blobs/sha256/", k, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_pushes_of_one_large_blob_through_both_instances_leave_one_data_object_and_no_uploads(bool streamed)
    {
        await using var pair = await TwoInstances.StartAsync();
        var blob = TestBlobs.Random((6 * 1024 * 1024) + 5); // above the inline limit: a pointer to a data object
        var digest = Digests.Sha256(blob);

        var pushes = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var via = i % 2 == 0 ? pair.A : pair.B;
            var location = await via.StartUploadAsync("race/large");
            var body = blob;
            if (streamed)
            {
                // PATCH, then PUT without a body: the upload is published under the digest by pointing at its data object.
                using var patch = await via.SendAsync(HttpMethod.Patch, location, blob, MediaTypes.OctetStream);
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                location = Expect.LocationPathOf(patch.Headers.Location!);
                body = [];
            }

            // Without the PATCH, the PUT carries the whole blob, written straight to the digest's path.
            using var put = await via.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), body, MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }));
        await Task.WhenAll(pushes);

        Assert.Equal(blob, await pair.A.GetBlobBytesAsync("race/large", digest));
        Assert.Equal(blob, await pair.B.GetBlobBytesAsync("race/large", digest));
        var keys = (await KeysAsync(pair.Backend.Name)).Select(k => k[(pair.Backend.Name.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
        var hex = digest["sha256:".Length..];
        var pointer = $"blobs/sha256/{hex[..2]}/{hex}";
        // The five losers removed their data objects (and, streamed, their uploads).
        if (streamed)
        {
            Assert.Equal(3, keys.Count); // the upload's data object, its fate object (live), the digest's pointer
            Assert.StartsWith($"{S3Driver.DataRoot}/uploads/", keys[0], StringComparison.Ordinal);
            Assert.Equal(keys[0] + ".fate", keys[1]);
            Assert.Equal(pointer, keys[2]);
        }
        else
        {
            Assert.Equal(2, keys.Count); // the data object written for the digest's path, and its pointer
            Assert.StartsWith($"{S3Driver.DataRoot}/{pointer}/", keys[0], StringComparison.Ordinal);
            Assert.Equal(pointer, keys[1]);
        }
    }

    private static async Task<List<string>> KeysAsync(string prefix)
    {
        using var driver = new S3Driver(
            new S3StorageOptions
            {
                Endpoint = TestEngines.S3Endpoint,
                Bucket = ScaleOutBackend.Bucket,
                AccessKey = TestEngines.S3AccessKey,
                SecretKey = TestEngines.S3SecretKey,
            },
            TimeProvider.System);
        var page = await driver.ClientForTests.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ScaleOutBackend.Bucket, Prefix = prefix + "/" });
        return [.. (page.S3Objects ?? []).Select(o => o.Key)];
    }
}
