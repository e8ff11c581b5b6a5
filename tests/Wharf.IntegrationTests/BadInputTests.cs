using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class BadInputTests
{
    public static TheoryData<string> InvalidNames => new()
    {
        "Upper",
        "library/Ubuntu",
        "a..b",
        "a._b",
        "a___b",
        "a-_b",
        "-ab",
        "ab-",
        "_ab",
        "ab.",
        "a/-b",
        "a/b_",
        "a/.b",
        "a!b",
        "a%20b",
        "a~b",
        new string('a', 256),
        string.Join('/', Enumerable.Repeat("abcdefghij", 24)) + "/abcdefghijk",
    };

    public static TheoryData<string> InvalidTags => new()
    {
        new string('t', 129),
        "-tag",
        ".tag",
        "tag!",
        "tag+1",
        "t%40g",
        "t~g",
    };

    public static TheoryData<string> InvalidDigests => new()
    {
        "sha256:abc",
        "sha256:" + new string('a', 63),
        "sha256:" + new string('a', 65),
        "sha256:" + new string('g', 64),
        "sha256:" + new string('A', 64),
        "sha512:" + new string('a', 64),
        "sha256" + new string('a', 64),
        "sha256:",
        ":" + new string('a', 64),
    };

    public static TheoryData<string> UnsupportedAlgorithms => new()
    {
        "md5:" + new string('a', 32),
        "sha1:" + new string('a', 40),
        "foo:" + new string('a', 64),
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Upload_to_an_invalid_name_is_400_NAME_INVALID(string name)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/", [], null);

        await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "NAME_INVALID");
        using var catalog = await registry.GetAsync("/v2/_catalog");
        Assert.Empty(await Json.RepositoriesAsync(catalog));
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Manifest_put_to_an_invalid_name_is_400_NAME_INVALID(string name)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("valid", TestBlobs.Config(), MediaTypes.OciConfig);

        using var put = await registry.PutManifestAsync(name, "v1", ManifestJson.Image(config, []));

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "NAME_INVALID");
        using var catalog = await registry.GetAsync("/v2/_catalog");
        Assert.Equal(["valid"], await Json.RepositoriesAsync(catalog));
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Reads_under_an_invalid_name_are_400_or_404_never_500(string name)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        foreach (var url in new[] { $"/v2/{name}/tags/list", $"/v2/{name}/manifests/latest", $"/v2/{name}/blobs/{Digests.Unknown()}", $"/v2/{name}/referrers/{Digests.Unknown()}" })
        {
            using var get = await registry.GetAsync(url);
            await Expect.ErrorAsync(get, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], "NAME_INVALID", "NAME_UNKNOWN", "MANIFEST_UNKNOWN", "BLOB_UNKNOWN");
        }
    }

    [Fact]
    public async Task Longest_reasonable_names_work()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var name = string.Join('/', Enumerable.Repeat("abcdefghij", 20)) + "/a__b.c-d";

        var digest = await registry.PushBlobAsync(name, TestBlobs.Random(10));

        Assert.Equal(HttpStatusCode.OK, await registry.BlobStatusAsync(name, digest));
    }

    [Theory]
    [MemberData(nameof(InvalidTags))]
    public async Task Manifest_put_with_an_invalid_tag_is_400_and_stores_nothing(string tag)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Config(), MediaTypes.OciConfig);
        var manifest = ManifestJson.Image(config, []);

        using var put = await registry.PutManifestAsync("app", tag, manifest);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "TAG_INVALID", "MANIFEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.ManifestStatusAsync("app", Digests.Sha256(manifest)));
        using var tags = await registry.GetAsync("/v2/app/tags/list");
        if (tags.StatusCode == HttpStatusCode.OK)
        {
            Assert.Empty(await Json.TagsAsync(tags));
        }
    }

    [Fact]
    public async Task Get_and_head_with_an_invalid_tag_are_404_like_the_conformance_suite_expects()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "v1");

        using var get = await registry.GetAsync("/v2/app/manifests/.INVALID_MANIFEST_NAME", r => r.Headers.Add("Accept", MediaTypes.OciManifest));
        await Expect.ErrorAsync(get, HttpStatusCode.NotFound);
        using var head = await registry.HeadAsync("/v2/app/manifests/.INVALID_MANIFEST_NAME");
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Theory]
    [MemberData(nameof(InvalidDigests))]
    public async Task Blob_reads_with_a_malformed_digest_are_400_DIGEST_INVALID_or_404(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("app", TestBlobs.Random(10));

        using var get = await registry.GetAsync($"/v2/app/blobs/{digest}");
        await Expect.ErrorAsync(get, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], "DIGEST_INVALID", "BLOB_UNKNOWN");
        using var head = await registry.HeadAsync($"/v2/app/blobs/{digest}");
        Assert.Contains(head.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        using var delete = await registry.DeleteAsync($"/v2/app/blobs/{digest}");
        await Expect.ErrorAsync(delete, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], "DIGEST_INVALID", "BLOB_UNKNOWN");
    }

    [Theory]
    [MemberData(nameof(InvalidDigests))]
    [MemberData(nameof(UnsupportedAlgorithms))]
    public async Task Upload_completed_with_a_bad_digest_is_400_DIGEST_INVALID(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(32);
        var location = await registry.StartUploadAsync("app");

        using var put = await registry.SendAsync(HttpMethod.Put, Registry.PutUrl(location, digest), blob, MediaTypes.OctetStream);

        await Expect.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Theory]
    [MemberData(nameof(InvalidDigests))]
    [MemberData(nameof(UnsupportedAlgorithms))]
    public async Task Single_post_with_a_bad_digest_is_400_DIGEST_INVALID(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var blob = TestBlobs.Random(32);

        using var post = await registry.SendAsync(HttpMethod.Post, Registry.WithQuery("/v2/app/blobs/uploads/", "digest", digest), blob, MediaTypes.OctetStream);

        await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(HttpStatusCode.NotFound, await registry.BlobStatusAsync("app", Digests.Sha256(blob)));
    }

    [Theory]
    [MemberData(nameof(InvalidDigests))]
    public async Task Mount_of_a_malformed_digest_is_400_or_a_plain_session(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushBlobAsync("source", TestBlobs.Random(10));

        using var post = await registry.SendAsync(HttpMethod.Post, Registry.WithQuery("/v2/app/blobs/uploads/?from=source", "mount", digest), [], null);

        if (post.StatusCode != HttpStatusCode.Accepted)
        {
            await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        }
    }

    [Theory]
    [InlineData("md5")]
    [InlineData("bogus")]
    public async Task Unsupported_digest_algorithm_parameter_is_400(string algorithm)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var post = await registry.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest-algorithm={algorithm}", [], null);

        await Expect.ErrorAsync(post, HttpStatusCode.BadRequest, "DIGEST_INVALID", "UNSUPPORTED");
    }

    [Theory]
    [MemberData(nameof(InvalidDigests))]
    public async Task Manifest_reads_with_a_malformed_digest_are_400_or_404(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "v1");

        using var get = await registry.GetAsync($"/v2/app/manifests/{digest}");

        await Expect.ErrorAsync(get, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], "DIGEST_INVALID", "MANIFEST_UNKNOWN", "TAG_INVALID", "MANIFEST_INVALID");
    }

    [Fact]
    public async Task Get_manifest_sha256_totallywrong_with_a_body_is_400_or_404_with_a_spec_code()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "v1");

        using var get = await registry.SendAsync(HttpMethod.Get, "/v2/app/manifests/sha256:totallywrong", "blablabla"u8.ToArray(), MediaTypes.OciManifest);

        await Expect.ErrorAsync(get, [HttpStatusCode.BadRequest, HttpStatusCode.NotFound]);
    }

    [Fact]
    public async Task Errors_are_served_as_json()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var response = await registry.GetAsync($"/v2/app/blobs/{Digests.Unknown()}");

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
