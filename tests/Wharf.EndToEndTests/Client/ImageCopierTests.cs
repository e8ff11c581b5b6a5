using System.Text;
using Wharf.Client;
using Wharf.Core.Protocol;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Client;

/// <summary>
/// <see cref="ImageCopier"/> between Wharf with token auth (referrers API) and Distribution 2.8.2 (no referrers API):
/// a multi-arch index with a signature arrives byte-identical both ways, and a copy cut short resumes.
/// </summary>
public sealed class ImageCopierTests : IAsyncLifetime
{
    private const string SignatureType = "application/vnd.example.signature";
    private WharfTestServer? _wharfServer;
    private DistributionRegistry? _distribution;
    private RegistryClient? _wharf;
    private RegistryClient? _dist;

    public async Task InitializeAsync()
    {
        _wharfServer = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "token",
            ["Auth:BcryptCost"] = "4",
            ["Auth:Policies:0:Repositories"] = "team/**",
            ["Auth:Policies:0:Users:0"] = "alice",
            ["Auth:Policies:0:Actions:0"] = "*",
        });
        await _wharfServer.AddUserAsync("alice", "alice-password");
        _distribution = await DistributionRegistry.StartAsync();
        _wharf = WharfClient();
        _dist = new RegistryClient(new RegistryClientOptions { BaseAddress = _distribution.BaseAddress, ChunkSize = 64 * 1024 });
    }

    public async Task DisposeAsync()
    {
        _wharf?.Dispose();
        _dist?.Dispose();
        if (_wharfServer is not null)
        {
            await _wharfServer.DisposeAsync();
        }

        if (_distribution is not null)
        {
            await _distribution.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_signed_multi_arch_image_goes_from_Wharf_to_Distribution_byte_identical()
    {
        var pushed = await PushSignedIndexAsync(_wharf!, "team/app", "v1", tagSchema: false);

        var result = await new ImageCopier(_wharf!, _dist!).CopyAsync("team/app", "v1", "team/app");

        Assert.Equal(pushed.Index, result.Digest);
        await AssertSameAsync(_wharf!, _dist!, "team/app", "team/app", pushed);
        Assert.Equal(pushed.Index, (await _dist!.HeadManifestAsync("team/app", "v1"))!.Digest);
        var referrers = await _dist.GetReferrersAsync("team/app", pushed.Index);
        Assert.Contains(pushed.Signature.Value, Encoding.UTF8.GetString(referrers.Bytes.Span), StringComparison.Ordinal);
        Assert.Equal(1, result.Referrers);

        var again = await new ImageCopier(_wharf!, _dist!).CopyAsync("team/app", "v1", "team/app");
        Assert.Equal(0, again.BlobsUploaded);
    }

    [Fact]
    public async Task A_signed_multi_arch_image_comes_from_Distribution_into_Wharf_byte_identical()
    {
        var pushed = await PushSignedIndexAsync(_dist!, "base/os", "2.0", tagSchema: true);

        await new ImageCopier(_dist!, _wharf!).CopyAsync("base/os", "2.0", "team/base-os");

        await AssertSameAsync(_dist!, _wharf!, "base/os", "team/base-os", pushed);
        Assert.Equal(pushed.Index, (await _wharf!.HeadManifestAsync("team/base-os", "2.0"))!.Digest);
        var referrers = await _wharf.GetReferrersAsync("team/base-os", pushed.Index, SignatureType);
        Assert.Contains(pushed.Signature.Value, Encoding.UTF8.GetString(referrers.Bytes.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_into_another_repository_of_the_target_mounts_the_blobs_it_already_has()
    {
        var pushed = await PushSignedIndexAsync(_wharf!, "team/app", "v1", tagSchema: false);
        await new ImageCopier(_wharf!, _dist!).CopyAsync("team/app", "v1", "team/app");

        var second = await new ImageCopier(_wharf!, _dist!) { MountFrom = "team/app" }.CopyAsync("team/app", "v1", "team/copy");

        Assert.Equal(pushed.Blobs, second.BlobsMounted);
        Assert.Equal(0, second.BlobsUploaded);
        await AssertSameAsync(_wharf!, _dist!, "team/app", "team/copy", pushed);
    }

    [Fact]
    public async Task A_copy_cut_short_leaves_no_tag_and_a_second_run_sends_only_what_is_missing()
    {
        var pushed = await PushSignedIndexAsync(_wharf!, "team/big", "v2", tagSchema: false);
        using var cut = new CancellationTokenSource();
        var counter = new BlobCommitCounter(afterCommits: 2, cut) { InnerHandler = new SocketsHttpHandler() };
        using (var cutTarget = new RegistryClient(new RegistryClientOptions { BaseAddress = _distribution!.BaseAddress, ChunkSize = 64 * 1024 }, counter))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new ImageCopier(_wharf!, cutTarget).CopyAsync("team/big", "v2", "team/big", cancellationToken: cut.Token));
        }

        Assert.Equal(2, counter.Commits);
        Assert.Null(await _dist!.HeadManifestAsync("team/big", "v2"));

        var resumed = await new ImageCopier(_wharf!, _dist!).CopyAsync("team/big", "v2", "team/big");

        Assert.Equal(2, resumed.BlobsSkipped);
        Assert.Equal(pushed.Blobs - 2, resumed.BlobsUploaded);
        await AssertSameAsync(_wharf!, _dist, "team/big", "team/big", pushed);
        Assert.Equal(pushed.Index, (await _dist.HeadManifestAsync("team/big", "v2"))!.Digest);
    }

    private RegistryClient WharfClient() => new(new RegistryClientOptions
    {
        BaseAddress = _wharfServer!.BaseAddress, Username = "alice", Password = "alice-password", ChunkSize = 64 * 1024,
    });

    private sealed record Pushed(Digest Index, Digest[] Children, Digest Signature, Digest[] BlobDigests)
    {
        public int Blobs => BlobDigests.Length;
    }

    /// <summary>
    /// Two images (one with a layer of several chunks) under an index tagged <paramref name="tag"/>, and a signature
    /// whose subject is the index (listed through the tag schema on a registry without the referrers API).
    /// </summary>
    private static async Task<Pushed> PushSignedIndexAsync(RegistryClient client, string repository, string tag, bool tagSchema)
    {
        var blobs = new List<Digest>();
        var children = new List<(Digest Digest, int Size, string Arch)>();
        foreach (var (arch, layerSize) in new[] { ("amd64", 300 * 1024), ("arm64", 5000) })
        {
            var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{arch}}}","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
            var layer = new byte[layerSize];
            Random.Shared.NextBytes(layer);
            blobs.Add(await PushAsync(client, repository, config));
            blobs.Add(await PushAsync(client, repository, layer));
            var manifest = Encoding.UTF8.GetBytes(
                $$$"""{"schemaVersion":2,  "mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{Digest.Compute(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{Digest.Compute(layer)}}}","size":{{{layer.Length}}}}]}""");
            children.Add((await client.PutManifestAsync(repository, Digest.Compute(manifest).Value, MediaTypes.OciManifest, manifest), manifest.Length, arch));
        }

        var entries = string.Join(",", children.Select(c =>
            $$$"""{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{c.Digest}}}","size":{{{c.Size}}},"platform":{"architecture":"{{{c.Arch}}}","os":"linux"}}"""));
        var index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,   "mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{{{entries}}}]}""");
        var indexDigest = await client.PutManifestAsync(repository, tag, MediaTypes.OciIndex, index);

        var empty = "{}"u8.ToArray();
        blobs.Add(await PushAsync(client, repository, empty));
        var signature = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciManifest}}}","artifactType":"{{{SignatureType}}}","config":{"mediaType":"{{{MediaTypes.OciEmpty}}}","digest":"{{{Digest.Compute(empty)}}}","size":2},"layers":[{"mediaType":"{{{MediaTypes.OciEmpty}}}","digest":"{{{Digest.Compute(empty)}}}","size":2}],"subject":{"mediaType":"{{{MediaTypes.OciIndex}}}","digest":"{{{indexDigest}}}","size":{{{index.Length}}}}}""");
        var signatureDigest = await client.PutManifestAsync(repository, Digest.Compute(signature).Value, MediaTypes.OciManifest, signature);
        if (tagSchema)
        {
            var list = Encoding.UTF8.GetBytes(
                $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","artifactType":"{{{SignatureType}}}","digest":"{{{signatureDigest}}}","size":{{{signature.Length}}}}]}""");
            await client.PutManifestAsync(repository, $"sha256-{indexDigest.Encoded}", MediaTypes.OciIndex, list);
        }

        return new Pushed(indexDigest, [.. children.Select(c => c.Digest)], signatureDigest, [.. blobs.Distinct()]);
    }

    private static async Task<Digest> PushAsync(RegistryClient client, string repository, byte[] bytes)
    {
        var digest = Digest.Compute(bytes);
        await client.PushBlobAsync(repository, digest, bytes.Length, new MemoryStream(bytes));
        return digest;
    }

    /// <summary>Every manifest of the image has the same bytes on both sides, and every blob is on the target.</summary>
    private static async Task AssertSameAsync(RegistryClient from, RegistryClient to, string fromRepository, string toRepository, Pushed pushed)
    {
        foreach (var digest in pushed.Children.Append(pushed.Index).Append(pushed.Signature))
        {
            var original = await from.GetManifestAsync(fromRepository, digest.Value);
            var copy = await to.GetManifestAsync(toRepository, digest.Value);
            Assert.NotNull(copy);
            Assert.Equal(original!.Bytes.ToArray(), copy.Bytes.ToArray());
            Assert.Equal(original.MediaType, copy.MediaType);
        }

        foreach (var blob in pushed.BlobDigests)
        {
            Assert.Equal(await from.HeadBlobAsync(fromRepository, blob), await to.HeadBlobAsync(toRepository, blob));
        }
    }

    /// <summary>Counts finished blob uploads (the PUT with <c>digest=</c>) and cancels the copy after <c>afterCommits</c> of them.</summary>
    private sealed class BlobCommitCounter(int afterCommits, CancellationTokenSource cut) : DelegatingHandler
    {
        public int Commits { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Put && request.RequestUri!.Query.Contains("digest=", StringComparison.Ordinal)
                && response.IsSuccessStatusCode && ++Commits == afterCommits)
            {
                await cut.CancelAsync();
            }

            return response;
        }
    }
}
