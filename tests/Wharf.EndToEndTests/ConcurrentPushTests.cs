using System.Net;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;

namespace Wharf.EndToEndTests;

/// <summary>Several real clients pushing the same blobs at once, and pushing again after a delete.</summary>
public sealed class ConcurrentPushTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Concurrent_skopeo_pushes_of_one_image_to_several_repositories_and_tags_all_land_byte_for_byte()
    {
        var layout = fixture.SingleArchLayout("concurrent", dataBytes: 4 * 1024 * 1024);
        string[] targets = ["concurrent/a:v1", "concurrent/b:v1", "concurrent/c:v1", "concurrent/a:v2", "concurrent/a:v3"];

        var pushes = targets.Select(t => _skopeo.PushAsync(layout.SkopeoReference, $"{fixture.Authority}/{t}", fixture.Temp.Path));
        var digests = await Task.WhenAll(pushes);

        Assert.All(digests, d => Assert.Equal(layout.RootDigest, d));
        foreach (var target in targets)
        {
            var (repository, tag) = (target.Split(':')[0], target.Split(':')[1]);
            ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync(repository, tag));
        }
    }

    [Fact]
    public async Task Skopeo_pushes_an_image_again_after_deleting_it()
    {
        var layout = fixture.SingleArchLayout("repush");
        var reference = fixture.Ref("repush/image");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);
        await _skopeo.RunCheckedAsync("delete", "--tls-verify=false", "docker://" + reference);
        Assert.Equal(HttpStatusCode.NotFound, await fixture.Http.ManifestStatusAsync("repush/image", "v1"));

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, reference, fixture.Temp.Path);

        Assert.Equal(layout.RootDigest, pushed);
        ImageAssert.ServedEqualsLayout(layout, await fixture.Http.GetImageAsync("repush/image", "v1"));
    }
}
