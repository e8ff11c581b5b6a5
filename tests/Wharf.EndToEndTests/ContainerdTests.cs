using System.Formats.Tar;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.EndToEndTests;

/// <summary>containerd 1.6 (<c>ctr images pull/push --plain-http</c>) against the registry.</summary>
public sealed class ContainerdTests : IClassFixture<RegistryFixture>, IClassFixture<ContainerdFixture>
{
    private readonly RegistryFixture _registry;
    private readonly Ctr _ctr;
    private readonly Skopeo _skopeo;

    public ContainerdTests(RegistryFixture registry, ContainerdFixture containerd)
    {
        _registry = registry;
        _ctr = new Ctr(containerd, registry.RegistryLog);
        _skopeo = new Skopeo(registry.RegistryLog);
    }

    [Fact]
    public async Task Ctr_pulls_an_image_pushed_by_skopeo_byte_for_byte()
    {
        var layout = _registry.SingleArchLayout("ctr-pull");
        var reference = _registry.Ref("ctr/pull");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, _registry.Temp.Path);
        var mark = BlobDeliveryAssert.Mark(_registry.Registry);

        await _ctr.RunAsync("images", "pull", "--plain-http", reference);

        Assert.Equal(layout.RootDigest, await _ctr.ImageDigestAsync(reference));
        ImageAssert.LayoutEqualsLayout(layout, await ExportAsync(reference));
        BlobDeliveryAssert.PulledAsConfigured(_registry.Registry, mark, layout.Image.BlobDigests);
    }

    [Fact]
    public async Task Ctr_pulls_every_platform_of_a_multi_arch_index_byte_for_byte()
    {
        var layout = _registry.MultiArchLayout("ctr-multi");
        var reference = _registry.Ref("ctr/multi");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, _registry.Temp.Path, "--all");

        await _ctr.RunAsync("images", "pull", "--plain-http", "--all-platforms", reference);

        Assert.Equal(layout.RootDigest, await _ctr.ImageDigestAsync(reference));
        ImageAssert.LayoutEqualsLayout(layout, await ExportAsync(reference, "--all-platforms"));
    }

    [Fact]
    public async Task Ctr_pulls_only_the_arm64_image_of_a_multi_arch_index_when_asked()
    {
        var layout = _registry.MultiArchLayout("ctr-arm64");
        var reference = _registry.Ref("ctr/arm64");
        await _skopeo.PushAsync(layout.SkopeoReference, reference, _registry.Temp.Path, "--all");

        await _ctr.RunAsync("images", "pull", "--plain-http", "--platform", "linux/arm64", reference);

        Assert.Equal(layout.RootDigest, await _ctr.ImageDigestAsync(reference));
        var content = (await _ctr.RunAsync("content", "ls", "--quiet")).Stdout;
        Assert.All(layout.ImageFor("arm64").BlobDigests, digest => Assert.Contains(digest, content, StringComparison.Ordinal));
        Assert.All(layout.ImageFor("amd64").LayerDigests, digest => Assert.DoesNotContain(digest, content, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctr_pushes_an_imported_oci_image_and_the_registry_serves_it_byte_for_byte()
    {
        var layout = _registry.SingleArchLayout("ctr-push");
        var reference = await ImportAsync(layout, "ctr/pushed");

        await _ctr.RunAsync("images", "push", "--plain-http", reference);

        ImageAssert.ServedEqualsLayout(layout, await _registry.Http.GetImageAsync("ctr/pushed", "v1"));
    }

    [Fact]
    public async Task Ctr_pushes_an_imported_multi_arch_index_and_the_registry_serves_it_byte_for_byte()
    {
        var layout = _registry.MultiArchLayout("ctr-push-multi");
        var reference = await ImportAsync(layout, "ctr/pushed-multi", "--all-platforms");

        await _ctr.RunAsync("images", "push", "--plain-http", reference);

        ImageAssert.ServedEqualsLayout(layout, await _registry.Http.GetImageAsync("ctr/pushed-multi", "v1"));
    }

    [Fact]
    public async Task Ctr_pushes_a_pulled_image_to_another_repository_byte_for_byte()
    {
        var layout = _registry.SingleArchLayout("ctr-retag");
        var source = _registry.Ref("ctr/retag-source");
        var target = _registry.Ref("ctr/retag-target");
        await _skopeo.PushAsync(layout.SkopeoReference, source, _registry.Temp.Path);
        await _ctr.RunAsync("images", "pull", "--plain-http", source);
        await _ctr.RunAsync("images", "tag", source, target);

        await _ctr.RunAsync("images", "push", "--plain-http", target);

        ImageAssert.ServedEqualsLayout(layout, await _registry.Http.GetImageAsync("ctr/retag-target", "v1"));
    }

    /// <summary><c>ctr images import</c> of the layout as a tar, named REGISTRY/<paramref name="repository"/>:TAG.</summary>
    private async Task<string> ImportAsync(OciLayout layout, string repository, params string[] options)
    {
        var tar = Path.Combine(_registry.NewDirectory("import"), "image.tar");
        OciLayoutBuilder.WriteTarball(layout, tar);
        var baseName = $"{_registry.Authority}/{repository}";
        await _ctr.RunAsync(["images", "import", "--base-name", baseName, .. options, tar]);
        var reference = $"{baseName}:{layout.Tag}";
        Assert.Equal(layout.RootDigest, await _ctr.ImageDigestAsync(reference));
        return reference;
    }

    /// <summary><c>ctr images export</c> to an OCI archive, unpacked and read back (every blob digest checked).</summary>
    private async Task<OciLayoutContent> ExportAsync(string reference, params string[] options)
    {
        var directory = _registry.NewDirectory("export");
        var tar = Path.Combine(directory, "export.tar");
        await _ctr.RunAsync(["images", "export", "--skip-manifest-json", .. options, tar, reference]);
        var unpacked = Directory.CreateDirectory(Path.Combine(directory, "layout")).FullName;
        await TarFile.ExtractToDirectoryAsync(tar, unpacked, overwriteFiles: false);
        return OciLayoutReader.Read(unpacked, "v1");
    }
}
