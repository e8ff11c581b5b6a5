using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Commands;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.Import;
using Wharf.TestKit;

namespace Wharf.Tests.Import;

/// <summary>
/// <see cref="DistributionImporter"/> on Distribution trees written by hand (the shapes a real registry:2 leaves, and some
/// it should not), into a filesystem + SQLite store opened through the composition root as <c>wharf import</c> opens it.
/// </summary>
public sealed class DistributionImporterTests : IDisposable
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private readonly TempDirectory _work = new("wharf-import-unit");

    private string V2 => _work.Combine("registry2", "docker", "registry", "v2");

    [Fact]
    public async Task An_index_is_stored_after_its_children_whatever_their_digests_order_and_a_manifest_without_media_type_is_sniffed()
    {
        // Children named by annotations until the index's digest sorts before both: the revisions are read in digest order.
        string index, child1, child2;
        byte[] indexBytes;
        var attempt = 0;
        do
        {
            child1 = Image("shop/multi", $"amd64-{attempt}", withMediaType: true);
            child2 = Image("shop/multi", $"arm64-{attempt}", withMediaType: false);
            indexBytes = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{OciIndex}}","manifests":[{{Descriptor(child1)}},{{Descriptor(child2)}}]}""");
            index = Blob(indexBytes);
            attempt++;
        }
        while (string.CompareOrdinal(index, child1) > 0 || string.CompareOrdinal(index, child2) > 0);

        Revision("shop/multi", index);
        Tag("shop/multi", "latest", index);
        Tag("shop/multi", "arm64", child2);

        await using var services = await OpenAsync();
        var report = await RunAsync(services);

        Assert.DoesNotContain(report.Skipped, s => s.Problem);
        Assert.Equal(1 + (2 * attempt), report.ManifestsStored);
        var reader = services.GetRequiredService<IManifestReader>();
        var stored = await reader.GetByTagAsync("shop/multi", "latest", CancellationToken.None);
        Assert.Equal(indexBytes, stored!.Payload);
        Assert.Equal(OciIndex, stored.MediaType);
        var sniffed = await reader.GetByTagAsync("shop/multi", "arm64", CancellationToken.None);
        Assert.Equal(OciManifest, sniffed!.MediaType);
    }

    [Fact]
    public async Task Leftovers_and_problems_are_listed_with_their_reason_and_a_blob_published_by_a_killed_run_is_only_linked()
    {
        var kept = Image("shop/web", "kept", withMediaType: true);
        Tag("shop/web", "1.0", kept);
        Directory.CreateDirectory(Path.Combine(V2, "repositories", "shop", "web", "_manifests", "tags", "gone", "index", "sha256", "ab"));
        var schema1 = Blob("""{"schemaVersion":1,"name":"shop/web","tag":"old","fsLayers":[],"history":[]}"""u8.ToArray());
        Revision("shop/web", schema1);
        Tag("shop/web", "old", schema1);
        Link("Shop/Upper", "_layers", Blob([1, 2, 3]));

        // As a killed run leaves it: the layer's bytes already published in Wharf's store, with no row for them.
        var layer = LayerOf(kept);
        await using var services = await OpenAsync();
        var published = _work.Combine("wharf", StorageLayout.Blob(Digest.Parse(layer)));
        Directory.CreateDirectory(Path.GetDirectoryName(published)!);
        File.Copy(BlobPath(layer), published);

        var report = await RunAsync(services);

        Assert.Equal(1, report.ManifestsStored);
        Assert.Equal(1, report.TagsSet);
        Assert.Equal(1, report.BlobsPresent);
        Assert.Equal(1, report.BlobsLinked);
        Assert.Equal(2, report.LinksAdded);
        Assert.Collection(
            report.Skipped,
            s => Assert.Equal(new ImportSkip("repository Shop/Upper", "not a valid repository name", true), s),
            s => Assert.Equal(("manifest shop/web@" + schema1, true), (s.What, s.Problem)),
            s => Assert.Equal(new ImportSkip("tag shop/web:gone", "it has no current link (a deleted tag whose index entries remain)", false), s),
            s => Assert.Equal(("tag shop/web:old", true), (s.What, s.Problem)));
        Assert.Contains("schema1", report.Skipped[1].Reason, StringComparison.Ordinal);
        Assert.NotNull(await services.GetRequiredService<IBlobIndex>().GetInRepositoryAsync("shop/web", Digest.Parse(layer), CancellationToken.None));

        var again = await RunAsync(services);
        Assert.True(again.NothingNew);
        Assert.Equal((0, 2, 1), (again.ManifestsStored, again.BlobsPresent, again.TagsPresent));
    }

    public void Dispose() => _work.Dispose();

    private async Task<ServiceProvider> OpenAsync() =>
        await RegistryServices.OpenAsync(null, _work.Combine("wharf"), CancellationToken.None);

    private async Task<ImportReport> RunAsync(IServiceProvider services) =>
        await DistributionImporter.From(services).RunAsync(DistributionTree.Find(_work.Combine("registry2"))!, (_, _, _) => { }, CancellationToken.None);

    /// <summary>An image of a config and one layer, both linked in <paramref name="repository"/>, its manifest a revision there.</summary>
    private string Image(string repository, string label, bool withMediaType)
    {
        var config = Blob(Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","label":"{{label}}"}"""));
        var layer = Blob(RandomNumberGenerator.GetBytes(200));
        Link(repository, "_layers", config);
        Link(repository, "_layers", layer);
        var mediaType = withMediaType ? $"\"mediaType\":\"{OciManifest}\"," : "";
        var manifest = Blob(Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,{{mediaType}}"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":{{new FileInfo(BlobPath(config)).Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{layer}}","size":200}]}"""));
        Revision(repository, manifest);
        return manifest;
    }

    private string LayerOf(string manifest) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(BlobPath(manifest))).RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;

    private string Descriptor(string manifest) =>
        $$"""{"mediaType":"{{OciManifest}}","digest":"{{manifest}}","size":{{new FileInfo(BlobPath(manifest)).Length}}}""";

    private string BlobPath(string digest) => Path.Combine(V2, "blobs", "sha256", digest[7..9], digest[7..], "data");

    private string Blob(byte[] bytes)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        Directory.CreateDirectory(Path.GetDirectoryName(BlobPath(digest))!);
        File.WriteAllBytes(BlobPath(digest), bytes);
        return digest;
    }

    private void Revision(string repository, string digest) => Link(repository, Path.Combine("_manifests", "revisions"), digest);

    private void Link(string repository, string kind, string digest) =>
        WriteLink(Path.Combine(V2, "repositories", repository, kind, "sha256", digest[7..], "link"), digest);

    private void Tag(string repository, string tag, string digest) =>
        WriteLink(Path.Combine(V2, "repositories", repository, "_manifests", "tags", tag, "current", "link"), digest);

    private static void WriteLink(string path, string digest)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, digest);
    }
}
