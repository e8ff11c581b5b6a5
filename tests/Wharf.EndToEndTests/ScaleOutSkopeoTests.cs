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

    /// <summary>
    /// Token mode: skopeo signs in through A's token service and pulls through B. B's challenge names A's token
    /// service, as a load balancer would send the token request to whichever instance: B accepts what A signed.
    /// </summary>
    [Fact]
    public async Task Skopeo_logs_in_through_one_instance_and_pulls_through_the_other_in_token_mode()
    {
        using var temp = new TempDirectory("wharf-e2e-scale-auth");
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        settings["Auth:Mode"] = "token";
        settings["Auth:BcryptCost"] = "6";
        await using var a = await WharfTestServer.StartAsync(settings);
        settings["Auth:Token:Realm"] = new Uri(a.BaseAddress, "auth/token").ToString();
        await using var b = await WharfTestServer.StartAsync(settings);
        await a.AddUserAsync("alice", "alice-Secret-1");
        var authFile = Path.Combine(temp.Path, "auth.json");
        var layout = OciLayoutBuilder.SingleArch(temp.CreateSubdirectory("layout"), "scale-auth");

        var wrong = await _skopeo.RunAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "wrong", a.Authority);
        Assert.False(wrong.Succeeded);
        await _skopeo.RunCheckedAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "alice-Secret-1", a.Authority);
        var pushed = await _skopeo.PushAsync(layout.SkopeoReference, $"{a.Authority}/alice/app:v1", temp.Path, "--authfile", authFile);
        await _skopeo.RunCheckedAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "alice-Secret-1", b.Authority);

        Assert.Equal(layout.RootDigest, pushed);
        var output = temp.CreateSubdirectory("out");
        await _skopeo.CopyAsync($"docker://{b.Authority}/alice/app:v1", $"oci:{output}:v1", "--authfile", authFile);
        ImageAssert.LayoutEqualsLayout(layout, OciLayoutReader.Read(output, "v1"));
        var anonymous = await _skopeo.RunAsync("inspect", "--tls-verify=false", "--no-creds", $"docker://{b.Authority}/alice/app:v1");
        Assert.False(anonymous.Succeeded);
    }
}
