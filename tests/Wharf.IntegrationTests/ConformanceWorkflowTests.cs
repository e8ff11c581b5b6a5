using System.Net;
using System.Text.Json.Nodes;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// The request sequences of the OCI conformance suite's pull, push and content management
/// workflows (v1.1.1, OCI_AUTOMATIC_CROSSMOUNT=true), with its data shapes. Discovery is in ReferrersTests/TagListTests.
/// </summary>
public class ConformanceWorkflowTests
{
    private const string Repo = "conformance/repo1";

    /// <summary>A manifest shaped like the suite's: extra "data"/"newUnspecifiedField" on the config, null on layers.</summary>
    private static byte[] SuiteManifest(byte[] config, byte[] layer, bool withMediaType = true, bool noLayers = false)
    {
        var configJson = Descriptor.For(MediaTypes.OciConfig, config).ToJson();
        configJson["data"] = Convert.ToBase64String(config);
        configJson["newUnspecifiedField"] = "aGVsbG8gd29ybGQ=";
        var layerJson = Descriptor.For(MediaTypes.OciLayerGzip, layer).ToJson();
        layerJson["newUnspecifiedField"] = null;
        var o = new JsonObject { ["schemaVersion"] = 2 };
        if (withMediaType)
        {
            o["mediaType"] = MediaTypes.OciManifest;
        }

        o["config"] = configJson;
        o["layers"] = noLayers ? new JsonArray() : new JsonArray(layerJson);
        return ManifestJson.Serialize(o);
    }

    private static async Task<HttpResponseMessage> PostPutAsync(Registry registry, string repo, byte[] blob)
    {
        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        return await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(post), Digests.Sha256(blob)), blob, MediaTypes.OctetStream);
    }

    /// <summary>Starts the registry under test, with a client that signs in when the registry asks.</summary>
    protected virtual Task<WharfTestServer> StartServerAsync() => WharfTestServer.StartAsync();

    private static void Success(HttpResponseMessage r) => Assert.True((int)r.StatusCode is >= 200 and < 300, $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri} answered {(int)r.StatusCode}");

    [Fact]
    public async Task Pull_workflow()
    {
        await using var server = await StartServerAsync();
        var registry = new Registry(server);
        var config0 = TestBlobs.Config();
        var config1 = TestBlobs.Config();
        var layer = TestBlobs.Random(150);
        foreach (var blob in new[] { config0, config1, layer })
        {
            using var put = await PostPutAsync(registry, Repo, blob);
            Success(put);
        }

        var m0 = SuiteManifest(config0, layer);
        var m1 = SuiteManifest(config1, layer);
        using (var put = await registry.PutManifestAsync(Repo, "tagtest0", m0))
        {
            Success(put);
        }

        using (var put = await registry.PutManifestAsync(Repo, Digests.Sha256(m1), m1))
        {
            Success(put);
        }

        var dummy = Digests.Sha256("hello world"u8);
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync(Repo, dummy));
        using (var get = await registry.GetAsync($"/v2/{Repo}/blobs/{dummy}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        using (var head = await registry.HeadAsync($"/v2/{Repo}/blobs/{Digests.Sha256(config0)}"))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(Digests.Sha256(config0), Expect.Header(head, "Docker-Content-Digest"));
        }

        Assert.Equal(config0, await registry.GetBlobBytesAsync(Repo, Digests.Sha256(config0)));
        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            using var missing = await registry.SendAsync(method, $"/v2/{Repo}/manifests/.INVALID_MANIFEST_NAME");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            foreach (var (reference, digest) in new[] { (Digests.Sha256(m0), Digests.Sha256(m0)), (Digests.Sha256(m1), Digests.Sha256(m1)), ("tagtest0", Digests.Sha256(m0)) })
            {
                using var r = await registry.SendAsync(method, $"/v2/{Repo}/manifests/{reference}", configure: q => q.Headers.Add("Accept", MediaTypes.OciManifest));
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.Equal(digest, Expect.Header(r, "Docker-Content-Digest"));
            }
        }

        using (var wrong = await registry.SendAsync(HttpMethod.Get, $"/v2/{Repo}/manifests/sha256:totallywrong", "blablabla"u8.ToArray(), MediaTypes.OciManifest))
        {
            await Expect.ErrorAsync(wrong, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound]);
        }

        foreach (var m in new[] { m0, m1 })
        {
            using var delete = await registry.DeleteAsync($"/v2/{Repo}/manifests/{Digests.Sha256(m)}");
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        foreach (var blob in new[] { config0, config1, layer })
        {
            using var delete = await registry.DeleteAsync($"/v2/{Repo}/blobs/{Digests.Sha256(blob)}");
            Assert.Contains(delete.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.NotFound });
        }
    }

    [Fact]
    public async Task Push_workflow_with_automatic_cross_mount()
    {
        await using var server = await StartServerAsync();
        var registry = new Registry(server);
        var crossmount = "conformance-" + Guid.NewGuid().ToString("N");
        var blobA = TestBlobs.Random(42);
        var digestA = Digests.Sha256(blobA);

        // streamed
        using (var post = await registry.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/"))
        {
            using var patch = await registry.SendAsync(HttpMethod.Patch, Expect.Location(post), blobA, MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(patch), digestA), [], MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.NotNull(put.Headers.Location);
        }

        // monolithic
        var config1 = TestBlobs.Config();
        var layer = TestBlobs.Random(150);
        using (var single = await registry.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/?digest={Digests.Sha256(config1)}", config1, MediaTypes.OctetStream))
        {
            Assert.Contains(single.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
            Assert.NotNull(single.Headers.Location);
            var expected = single.StatusCode == HttpStatusCode.Created ? HttpStatusCode.OK : HttpStatusCode.NotFound;
            using var get = await registry.GetAsync($"/v2/{Repo}/blobs/{Digests.Sha256(config1)}");
            Assert.Equal(expected, get.StatusCode);
        }

        foreach (var blob in new[] { config1, layer })
        {
            using var put = await PostPutAsync(registry, Repo, blob);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.NotNull(put.Headers.Location);
        }

        // chunked, replaying the POST location as the suite does
        var blobB = TestBlobs.Random(42);
        using (var post = await registry.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/", [], null))
        {
            using var outOfOrder = await registry.SendAsync(HttpMethod.Patch, Expect.Location(post), blobB[22..], MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "22-41"));
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outOfOrder.StatusCode);
        }

        using (var post = await registry.SendAsync(HttpMethod.Post, $"/v2/{Repo}/blobs/uploads/", [], null))
        {
            var postLocation = Expect.Location(post);
            using var first = await registry.SendAsync(HttpMethod.Patch, postLocation, blobB[..22], MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-21"));
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal("0-21", Expect.Header(first, "Range"));
            using var retry = await registry.SendAsync(HttpMethod.Patch, postLocation, blobB[..22], MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-21"));
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, retry.StatusCode);
            using var status = await registry.GetAsync(postLocation);
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-21", Expect.Header(status, "Range"));
            using var second = await registry.SendAsync(HttpMethod.Patch, Expect.Location(status), blobB[22..], MediaTypes.OctetStream,
                r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "22-41"));
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
            using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(Expect.Location(second), Digests.Sha256(blobB)), [], MediaTypes.OctetStream);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.NotNull(put.Headers.Location);
        }

        // cross-repository mount
        using (var noFrom = await registry.SendAsync(HttpMethod.Post, $"/v2/{crossmount}/blobs/uploads/?mount={Digests.Sha256("hello world"u8)}", [], null))
        {
            Assert.Equal(HttpStatusCode.Accepted, noFrom.StatusCode);
            Assert.NotNull(noFrom.Headers.Location);
        }

        using (var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/{crossmount}/blobs/uploads/?mount={digestA}&from={Repo}", [], null))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
            Assert.Equal($"/v2/{crossmount}/blobs/{digestA}", Expect.LocationPath(mount));
            using var get = await registry.GetAsync(Expect.Location(mount));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using (var automatic = await registry.SendAsync(HttpMethod.Post, $"/v2/{crossmount}/blobs/uploads/?mount={digestA}", [], null))
        {
            Assert.Equal(HttpStatusCode.Created, automatic.StatusCode);
        }

        // manifests
        var m1 = SuiteManifest(config1, layer);
        for (var i = 0; i < 4; i++)
        {
            using var put = await registry.PutManifestAsync(Repo, $"test{i}", m1);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.NotNull(put.Headers.Location);
        }

        var emptyLayer = SuiteManifest(config1, layer, withMediaType: false, noLayers: true);
        using (var put = await registry.PutManifestAsync(Repo, "emptylayer", emptyLayer))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync(Repo, Digests.Sha256(m1)));
        foreach (var m in new[] { m1, emptyLayer })
        {
            using var delete = await registry.DeleteAsync($"/v2/{Repo}/manifests/{Digests.Sha256(m)}");
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Empty(await registry.TagsAsync(Repo));
    }

    [Fact]
    public async Task Content_management_workflow()
    {
        await using var server = await StartServerAsync();
        var registry = new Registry(server);
        var config3 = TestBlobs.Config();
        var layer = TestBlobs.Random(150);
        foreach (var blob in new[] { config3, layer })
        {
            using var put = await PostPutAsync(registry, Repo, blob);
            Success(put);
        }

        var m3 = SuiteManifest(config3, layer);
        await registry.PushImageAsync(Repo, "other");
        await registry.PushManifestAsync(Repo, "tagtest0", m3);
        var before = (await registry.TagsAsync(Repo)).Count;

        using (var deleteTag = await registry.DeleteAsync($"/v2/{Repo}/manifests/tagtest0"))
        {
            Assert.Equal(HttpStatusCode.Accepted, deleteTag.StatusCode);
        }

        using (var deleteManifest = await registry.DeleteAsync($"/v2/{Repo}/manifests/{Digests.Sha256(m3)}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, deleteManifest.StatusCode);
        }

        using (var get = await registry.GetAsync($"/v2/{Repo}/manifests/{Digests.Sha256(m3)}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.Equal(before - 1, (await registry.TagsAsync(Repo)).Count);
        foreach (var blob in new[] { config3, layer })
        {
            using var delete = await registry.DeleteAsync($"/v2/{Repo}/blobs/{Digests.Sha256(blob)}");
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var gone = await registry.GetAsync($"/v2/{Repo}/blobs/{Digests.Sha256(config3)}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
