using System.Net;
using System.Text.Json;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ReferrersTests
{
    private const string AnnotationKey = "org.opencontainers.conformance.test";
    private const string TypeA = "application/vnd.nhl.peanut.butter.bagel";
    private const string TypeB = "application/vnd.nba.strawberry.jam.croissant";

    private sealed record Referrer(string MediaType, string Digest, long Size, string? ArtifactType, Dictionary<string, string> Annotations);

    private static async Task<List<Referrer>> ReferrersAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, Expect.Header(response, "Content-Type"));
        using var doc = await Json.ReadAsync(response);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(MediaTypes.OciIndex, root.GetProperty("mediaType").GetString());
        return [.. root.GetProperty("manifests").EnumerateArray().Select(m => new Referrer(
            m.GetProperty("mediaType").GetString()!,
            m.GetProperty("digest").GetString()!,
            m.GetProperty("size").GetInt64(),
            m.TryGetProperty("artifactType", out var at) ? at.GetString() : null,
            m.TryGetProperty("annotations", out var an) ? an.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : []))];
    }

    private static Dictionary<string, string> Note(string value) => new() { [AnnotationKey] = value };

    [Fact]
    public async Task Unknown_digest_has_an_empty_index()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "v1");

        using var response = await registry.GetAsync($"/v2/app/referrers/{Digests.Unknown()}");

        Assert.Empty(await ReferrersAsync(response));
    }

    [Fact]
    public async Task Unknown_repository_has_an_empty_index()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var response = await registry.GetAsync($"/v2/never/pushed/referrers/{Digests.Unknown()}");

        Assert.Empty(await ReferrersAsync(response));
    }

    [Fact]
    public async Task Empty_list_is_an_array_not_null()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var response = await registry.GetAsync($"/v2/app/referrers/{Digests.Unknown()}");

        using var doc = await Json.ReadAsync(response);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("manifests").ValueKind);
    }

    [Fact]
    public async Task Conformance_discovery_scenario_lists_five_referrers_and_filters_by_artifact_type()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        const string repo = "conformance/repo1";
        await registry.PushBlobAsync(repo, "{}"u8.ToArray());
        var refA = await registry.PushDescriptorAsync(repo, TestBlobs.Text("NHL Peanut Butter on my NHL bagel"), TypeA);

        // the subject is built now but pushed only after its first referrers
        var subjectConfigBytes = TestBlobs.Config();
        var subjectLayerBytes = TestBlobs.Random(200);
        var subjectConfig = Descriptor.For(MediaTypes.OciConfig, subjectConfigBytes);
        var subjectLayer = Descriptor.For(MediaTypes.OciLayerGzip, subjectLayerBytes);
        var subjectManifest = ManifestJson.Image(subjectConfig, [subjectLayer]);
        var subject = Descriptor.For(MediaTypes.OciManifest, subjectManifest);

        var aConfig = ManifestJson.Image(refA, [Descriptor.EmptyJson], subject, annotations: Note("test config a"));
        var aLayer = ManifestJson.Image(Descriptor.EmptyJson, [refA], subject, TypeA, Note("test layer a"));
        var index = ManifestJson.Index(
            [Descriptor.For(MediaTypes.OciManifest, aConfig), Descriptor.For(MediaTypes.OciManifest, aLayer)],
            subject, "application/vnd.food.stand", Note("test index"));
        foreach (var (body, type) in new[] { (aConfig, MediaTypes.OciManifest), (aLayer, MediaTypes.OciManifest), (index, MediaTypes.OciIndex) })
        {
            using var put = await registry.PutManifestAsync(repo, Digests.Sha256(body), body, type);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(subject.Digest, Expect.Header(put, "OCI-Subject"));
        }

        await registry.PushBlobAsync(repo, subjectConfigBytes);
        await registry.PushBlobAsync(repo, subjectLayerBytes);
        await registry.PushManifestAsync(repo, "tagtest0", subjectManifest);

        var refB = await registry.PushDescriptorAsync(repo, TestBlobs.Text("NBA Strawberry Jam on my NBA croissant"), TypeB);
        var bConfig = ManifestJson.Image(refB, [Descriptor.EmptyJson], subject, annotations: Note("test config b"));
        var bLayer = ManifestJson.Image(Descriptor.EmptyJson, [refB], subject, TypeB, Note("test layer b"));
        var missingSubject = Descriptor.For(MediaTypes.OciManifest, ManifestJson.Image(Descriptor.For(MediaTypes.OciConfig, TestBlobs.Config()), []));
        var cLayer = ManifestJson.Image(Descriptor.EmptyJson, [refB], missingSubject, TypeB);
        foreach (var (body, subj) in new[] { (bConfig, subject), (bLayer, subject), (cLayer, missingSubject) })
        {
            using var put = await registry.PutManifestAsync(repo, Digests.Sha256(body), body);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(subj.Digest, Expect.Header(put, "OCI-Subject"));
        }

        using (var all = await registry.GetAsync($"/v2/{repo}/referrers/{subject.Digest}"))
        {
            var referrers = await ReferrersAsync(all);
            Assert.Equal(5, referrers.Count);
            Assert.Equal(5, referrers.Select(r => r.Digest).Distinct().Count());
            AssertHas(referrers, aConfig, MediaTypes.OciManifest, TypeA, "test config a");
            AssertHas(referrers, aLayer, MediaTypes.OciManifest, TypeA, "test layer a");
            AssertHas(referrers, index, MediaTypes.OciIndex, "application/vnd.food.stand", "test index");
            AssertHas(referrers, bConfig, MediaTypes.OciManifest, TypeB, "test config b");
            AssertHas(referrers, bLayer, MediaTypes.OciManifest, TypeB, "test layer b");
        }

        using (var filtered = await registry.GetAsync($"/v2/{repo}/referrers/{subject.Digest}?artifactType={TypeA}"))
        {
            var referrers = await ReferrersAsync(filtered);
            Assert.Equal("artifactType", Expect.Header(filtered, "OCI-Filters-Applied"));
            Assert.Equal(2, referrers.Count);
            AssertHas(referrers, aConfig, MediaTypes.OciManifest, TypeA, "test config a");
            AssertHas(referrers, aLayer, MediaTypes.OciManifest, TypeA, "test layer a");
        }

        using (var missing = await registry.GetAsync($"/v2/{repo}/referrers/{missingSubject.Digest}"))
        {
            var referrers = await ReferrersAsync(missing);
            var only = Assert.Single(referrers);
            Assert.Equal(Digests.Sha256(cLayer), only.Digest);
        }
    }

    private static void AssertHas(List<Referrer> referrers, byte[] manifest, string mediaType, string? artifactType, string annotation)
    {
        var digest = Digests.Sha256(manifest);
        var r = referrers.SingleOrDefault(x => x.Digest == digest);
        Assert.True(r is not null, $"referrer {digest} ({annotation}) missing");
        Assert.Equal(mediaType, r.MediaType);
        Assert.Equal(manifest.Length, r.Size);
        Assert.Equal(artifactType, r.ArtifactType);
        Assert.Equal(annotation, Assert.Single(r.Annotations, a => a.Key == AnnotationKey).Value);
        Assert.Single(r.Annotations);
    }

    [Fact]
    public async Task Artifact_type_falls_back_to_the_config_media_type_and_index_without_one_omits_it()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("app", "v1");
        var config = await registry.PushDescriptorAsync("app", TestBlobs.Text("cfg"), "application/vnd.example.config.v1+json");
        var viaConfig = ManifestJson.Image(config, [], subject.Descriptor);
        var plainIndex = ManifestJson.Index([subject.Descriptor], subject.Descriptor);
        await registry.PushManifestAsync("app", Digests.Sha256(viaConfig), viaConfig);
        await registry.PushManifestAsync("app", Digests.Sha256(plainIndex), plainIndex, MediaTypes.OciIndex);

        using var response = await registry.GetAsync($"/v2/app/referrers/{subject.Digest}");

        var referrers = await ReferrersAsync(response);
        Assert.Equal(2, referrers.Count);
        Assert.Equal("application/vnd.example.config.v1+json", referrers.Single(r => r.Digest == Digests.Sha256(viaConfig)).ArtifactType);
        Assert.Null(referrers.Single(r => r.Digest == Digests.Sha256(plainIndex)).ArtifactType);
    }

    [Fact]
    public async Task Filter_matching_nothing_is_an_empty_list_with_the_filter_header()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("app", "v1");
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var sig = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject.Descriptor, "application/vnd.example.sig");
        await registry.PushManifestAsync("app", Digests.Sha256(sig), sig);

        using var response = await registry.GetAsync($"/v2/app/referrers/{subject.Digest}?artifactType=application/vnd.example.sbom");

        Assert.Empty(await ReferrersAsync(response));
        Assert.Equal("artifactType", Expect.Header(response, "OCI-Filters-Applied"));
    }

    [Fact]
    public async Task Deleted_referrer_disappears_from_the_list()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("app", "v1");
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var sig = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject.Descriptor, "application/vnd.example.sig");
        var sigDigest = await registry.PushManifestAsync("app", Digests.Sha256(sig), sig);
        using (var before = await registry.GetAsync($"/v2/app/referrers/{subject.Digest}"))
        {
            Assert.Single(await ReferrersAsync(before));
        }

        using (var delete = await registry.DeleteAsync($"/v2/app/manifests/{sigDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var after = await registry.GetAsync($"/v2/app/referrers/{subject.Digest}");
        Assert.Empty(await ReferrersAsync(after));
    }

    [Fact]
    public async Task Referrers_are_scoped_to_the_repository()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("team/a", "v1");
        await registry.PushBlobAsync("team/b", "{}"u8.ToArray());
        var sig = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject.Descriptor, "application/vnd.example.sig");
        await registry.PushManifestAsync("team/b", Digests.Sha256(sig), sig);

        using var inA = await registry.GetAsync($"/v2/team/a/referrers/{subject.Digest}");
        Assert.Empty(await ReferrersAsync(inA));
        using var inB = await registry.GetAsync($"/v2/team/b/referrers/{subject.Digest}");
        Assert.Single(await ReferrersAsync(inB));
    }

    [Fact]
    public async Task Referrer_pushed_by_tag_is_listed_too()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var subject = await registry.PushImageAsync("app", "v1");
        await registry.PushBlobAsync("app", "{}"u8.ToArray());
        var sig = ManifestJson.Image(Descriptor.EmptyJson, [Descriptor.EmptyJson], subject.Descriptor, "application/vnd.example.sig");

        using var put = await registry.PutManifestAsync("app", "signature", sig);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(subject.Digest, Expect.Header(put, "OCI-Subject"));

        using var response = await registry.GetAsync($"/v2/app/referrers/{subject.Digest}");
        Assert.Equal(Digests.Sha256(sig), Assert.Single(await ReferrersAsync(response)).Digest);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("latest")]
    public async Task Invalid_digest_is_400(string digest)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "latest");

        using var response = await registry.GetAsync($"/v2/app/referrers/{digest}");

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }
}
