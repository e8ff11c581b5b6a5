using System.Diagnostics;
using System.Net;
using System.Text;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>Manifests built to exhaust a parser or a walk: each gets its spec answer within a bound.</summary>
public sealed class ManifestAbuseTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    public static TheoryData<string> DeeplyNested => new()
    {
        string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000)),
        string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + string.Concat(Enumerable.Repeat("}", 10_000)),
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"annotations\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + string.Concat(Enumerable.Repeat("}", 10_000)) + "}",
    };

    [Theory]
    [MemberData(nameof(DeeplyNested))]
    public async Task Ten_thousand_levels_of_nesting_are_400_MANIFEST_INVALID(string json)
    {
        var response = await TimedPutAsync("nested", Encoding.UTF8.GetBytes(json));

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task A_manifest_with_a_million_element_array_in_an_unknown_field_is_parsed_within_the_bound()
    {
        var image = abuse.Image;
        var layers = string.Join(",", image.Layers.Select(l => $"{{\"mediaType\":\"{l.MediaType}\",\"digest\":\"{l.Digest}\",\"size\":{l.Size}}}"));
        var json = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{image.Config.MediaType}\",\"digest\":\"{image.Config.Digest}\",\"size\":{image.Config.Size}}},\"layers\":[{layers}],\"x-padding\":[{string.Join(",", Enumerable.Repeat("0", 1_000_000))}]}}";

        var response = await TimedPutAsync("padded", Encoding.UTF8.GetBytes(json));

        Expect.Status(response, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Twenty_thousand_layers_that_do_not_exist_are_400_MANIFEST_BLOB_UNKNOWN()
    {
        var layers = Enumerable.Range(0, 20_000).Select(_ => new Descriptor(MediaTypes.OciLayerGzip, Digests.Unknown(), 10));
        var manifest = ManifestJson.Image(abuse.Image.Config, layers);

        var response = await TimedPutAsync("many-layers", manifest);

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [Fact]
    public async Task An_index_naming_a_digest_the_repository_lacks_is_400_MANIFEST_UNKNOWN()
    {
        var index = ManifestJson.Index([new Descriptor(MediaTypes.OciManifest, Digests.Unknown(), 500)]);

        var response = await TimedPutAsync("dangling", index, MediaTypes.OciIndex);

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task An_index_of_twenty_thousand_unknown_children_is_400_MANIFEST_UNKNOWN()
    {
        var index = ManifestJson.Index(Enumerable.Range(0, 20_000).Select(_ => new Descriptor(MediaTypes.OciManifest, Digests.Unknown(), 500)));

        var response = await TimedPutAsync("many-children", index, MediaTypes.OciIndex);

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task An_index_naming_a_manifest_of_another_repository_is_400_MANIFEST_UNKNOWN()
    {
        var other = await abuse.Registry.PushImageAsync("team/other", "v1");
        var index = ManifestJson.Index([other.Descriptor]);

        var response = await TimedPutAsync("foreign", index, MediaTypes.OciIndex);

        await Expect.ErrorAsync(response, HttpStatusCode.BadRequest, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task A_subject_naming_an_unknown_digest_is_accepted_as_the_spec_allows()
    {
        var subject = new Descriptor(MediaTypes.OciManifest, Digests.Unknown(), 123);
        var manifest = ManifestJson.Image(abuse.Image.Config, abuse.Image.Layers, subject: subject);

        var response = await TimedPutAsync(Digests.Sha256(manifest), manifest);

        Expect.Status(response, HttpStatusCode.Created);
        Assert.Equal(subject.Digest, Expect.Header(response, "OCI-Subject"));
    }

    [Fact]
    public async Task An_index_of_indexes_twelve_levels_deep_is_stored_and_summarised_within_the_bound()
    {
        var child = abuse.Image.Descriptor;
        for (var level = 0; level < 12; level++)
        {
            var index = ManifestJson.Index([child]);
            var response = await TimedPutAsync($"level-{level}", index, MediaTypes.OciIndex);
            Expect.Status(response, HttpStatusCode.Created);
            child = new Descriptor(MediaTypes.OciIndex, Digests.Sha256(index), index.Length);
        }

        var clock = Stopwatch.StartNew();
        using var tags = await abuse.Registry.GetAsync("/api/tags/team/app");
        using var image = await abuse.Registry.GetAsync("/api/image/team/app?reference=level-11");

        Assert.True(clock.Elapsed < AbuseServer.AnswerBound, $"took {clock.Elapsed}");
        Expect.Status(tags, HttpStatusCode.OK);
        Expect.Status(image, HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> TimedPutAsync(string reference, byte[] body, string contentType = MediaTypes.OciManifest)
    {
        var clock = Stopwatch.StartNew();
        var response = await abuse.Registry.PutManifestAsync("team/app", reference, body, contentType);
        Assert.True(clock.Elapsed < AbuseServer.AnswerBound, $"PUT took {clock.Elapsed}");
        return response;
    }
}
