using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>
/// skopeo against two Wharf instances sharing one bucket prefix (Ceph RGW) and one database schema
/// (PostgreSQL): what is pushed through one is pulled through the other, blobs by presigned redirect.
/// </summary>
[Trait("Category", "ScaleOut")]
public sealed class ScaleOutSkopeoTests
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Skopeo_pushes_a_multi_arch_index_through_one_instance_and_pulls_it_through_the_other()
    {
        using var temp = new TempDirectory("wharf-e2e-scale");
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Blobs:Delivery"] = "Redirect";
        await using var a = await WharfTestServer.StartAsync(settings);
        await using var b = new WharfRegistry(await WharfTestServer.StartAsync(settings));
        var layout = OciLayoutBuilder.MultiArch(temp.CreateSubdirectory("layout"), "scale-multi");

        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, $"{a.Authority}/scale/multi:v1", temp.Path, "--all");

        Assert.Equal(layout.RootDigest, pushed);
        var output = temp.CreateSubdirectory("out");
        Assert.True(BlobDeliveryAssert.Redirects(b));
        await _skopeo.CopyAsync($"docker://{b.Authority}/scale/multi:v1", $"oci:{output}:v1", "--all");
        ImageAssert.LayoutEqualsLayout(layout, OciLayoutReader.Read(output, "v1"));
        BlobDeliveryAssert.PulledAsConfigured(b, 0, layout.Images.SelectMany(i => i.BlobDigests));
    }
}
