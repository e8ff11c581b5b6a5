using System.Globalization;
using System.Text;
using Wharf.Client;
using Wharf.Core.Protocol;

namespace Wharf.EndToEndTests.Client;

/// <summary>
/// What <see cref="RegistryClient"/> does against a real registry, run against Distribution 2.8.2 and against Wharf
/// with token auth: blobs up (whole and in chunks) and down (whole and ranges), manifests byte-exact, mounts, tags
/// page by page, referrers.
/// </summary>
public abstract class RegistryClientContract : IAsyncLifetime
{
    private RegistryClient? _client;

    protected RegistryClient Client => _client!;

    /// <summary>Where the tests write: a repository the client may push to.</summary>
    protected virtual string Namespace => "team";

    /// <summary>Starts the registry and returns a client of it, with chunks of <paramref name="chunkSize"/> bytes.</summary>
    protected abstract Task<RegistryClient> StartAsync(long chunkSize);

    public async Task InitializeAsync() => _client = await StartAsync(64 * 1024);

    public virtual Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_blob_goes_up_once_and_comes_back_whole_and_in_ranges()
    {
        var repository = Namespace + "/blobs";
        var bytes = RandomBytes(40 * 1024);
        var digest = Digest.Compute(bytes);

        Assert.Null(await Client.HeadBlobAsync(repository, digest));
        Assert.Equal(BlobPush.Uploaded, await Client.PushBlobAsync(repository, digest, bytes.Length, new MemoryStream(bytes)));
        Assert.Equal(BlobPush.AlreadyPresent, await Client.PushBlobAsync(repository, digest, bytes.Length, new MemoryStream(bytes)));
        Assert.Equal(bytes.Length, await Client.HeadBlobAsync(repository, digest));

        await using (var whole = await Client.GetBlobAsync(repository, digest))
        {
            Assert.NotNull(whole);
            Assert.Equal(bytes.Length, whole.Length);
            Assert.Equal(bytes, await ReadAllAsync(whole.Content));
        }

        await using var range = await Client.GetBlobAsync(repository, digest, from: 1000, to: 1999);
        Assert.NotNull(range);
        Assert.True(range.IsPartial);
        Assert.Equal(bytes.AsSpan(1000, 1000).ToArray(), await ReadAllAsync(range.Content));
    }

    [Fact]
    public async Task A_blob_larger_than_a_chunk_goes_up_in_chunks_and_the_registry_checks_its_digest()
    {
        var repository = Namespace + "/chunks";
        var bytes = RandomBytes((64 * 1024 * 3) + 1234);
        var digest = Digest.Compute(bytes);

        Assert.Equal(BlobPush.Uploaded, await Client.PushBlobAsync(repository, digest, bytes.Length, new MemoryStream(bytes)));
        await using (var back = await Client.GetBlobAsync(repository, digest))
        {
            Assert.Equal(bytes, await ReadAllAsync(back!.Content));
        }

        var other = RandomBytes(200 * 1024);
        var wrong = await Assert.ThrowsAsync<RegistryClientException>(() =>
            Client.PushBlobAsync(repository, Digest.Compute(RandomBytes(10)), other.Length, new MemoryStream(other)));
        Assert.Contains(wrong.Errors, e => e.Code == "DIGEST_INVALID");
    }

    [Fact]
    public async Task Content_shorter_than_its_announced_size_fails_the_push_and_leaves_no_blob()
    {
        var repository = Namespace + "/short";
        var bytes = RandomBytes(1000);
        var digest = Digest.Compute(bytes);

        await Assert.ThrowsAnyAsync<Exception>(() => Client.PushBlobAsync(repository, digest, 2000, new MemoryStream(bytes)));
        Assert.Null(await Client.HeadBlobAsync(repository, digest));
    }

    [Fact]
    public async Task Manifests_of_an_image_and_an_index_go_up_and_come_back_byte_exact()
    {
        var repository = Namespace + "/app";
        var (image, imageType) = await PushImageAsync(repository, "amd64");
        var imageDigest = await Client.PutManifestAsync(repository, "v1", imageType, image);
        var index = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,   "mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{imageType}}}","digest":"{{{imageDigest}}}","size":{{{image.Length}}},"platform":{"architecture":"amd64","os":"linux"}}]}""");
        var indexDigest = await Client.PutManifestAsync(repository, "multi", MediaTypes.OciIndex, index);

        var byTag = await Client.GetManifestAsync(repository, "v1");
        Assert.NotNull(byTag);
        Assert.Equal(image, byTag.Bytes.ToArray());
        Assert.Equal(imageDigest, byTag.Digest);
        Assert.Equal(imageType, byTag.MediaType);

        var list = await Client.GetManifestAsync(repository, indexDigest.Value);
        Assert.Equal(index, list!.Bytes.ToArray());
        Assert.Equal(MediaTypes.OciIndex, list.MediaType);

        var head = await Client.HeadManifestAsync(repository, "multi");
        Assert.Equal(new ManifestInfo(MediaTypes.OciIndex, indexDigest, index.Length), head);
        Assert.Null(await Client.GetManifestAsync(repository, "missing"));
        Assert.Null(await Client.HeadManifestAsync(repository, "missing"));
    }

    [Fact]
    public async Task A_blob_is_mounted_from_another_repository()
    {
        var bytes = RandomBytes(3000);
        var digest = Digest.Compute(bytes);
        await Client.PushBlobAsync(Namespace + "/source", digest, bytes.Length, new MemoryStream(bytes));

        Assert.True(await Client.MountBlobAsync(Namespace + "/target", digest, Namespace + "/source"));
        Assert.Equal(bytes.Length, await Client.HeadBlobAsync(Namespace + "/target", digest));
        Assert.False(await Client.MountBlobAsync(Namespace + "/target", Digest.Compute(RandomBytes(10)), Namespace + "/source"));
    }

    [Fact]
    public async Task Tags_are_listed_across_pages()
    {
        var repository = Namespace + "/tags";
        var (image, type) = await PushImageAsync(repository, "arm64");
        var tags = Enumerable.Range(0, 5).Select(i => "t" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var tag in tags)
        {
            await Client.PutManifestAsync(repository, tag, type, image);
        }

        var listed = new List<string>();
        await foreach (var tag in Client.ListTagsAsync(repository, pageSize: 2))
        {
            listed.Add(tag);
        }

        Assert.Equal(tags, listed.Order(StringComparer.Ordinal));
        Assert.Empty(await Client.ListTagsAsync(Namespace + "/never-pushed").ToListAsync());
    }

    [Fact]
    public async Task Referrers_of_a_manifest_are_found()
    {
        var repository = Namespace + "/signed";
        var (image, type) = await PushImageAsync(repository, "amd64");
        var subject = await Client.PutManifestAsync(repository, "v1", type, image);
        var empty = "{}"u8.ToArray();
        await Client.PushBlobAsync(repository, Digest.Compute(empty), empty.Length, new MemoryStream(empty));
        var signature = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciManifest}}}","artifactType":"application/vnd.example.signature","config":{"mediaType":"{{{MediaTypes.OciEmpty}}}","digest":"{{{Digest.Compute(empty)}}}","size":2},"layers":[{"mediaType":"{{{MediaTypes.OciEmpty}}}","digest":"{{{Digest.Compute(empty)}}}","size":2}],"subject":{"mediaType":"{{{type}}}","digest":"{{{subject}}}","size":{{{image.Length}}}}}""");
        var signatureDigest = await Client.PutManifestAsync(repository, Digest.Compute(signature).Value, MediaTypes.OciManifest, signature);
        await PublishReferrerAsync(repository, subject, signatureDigest, signature.Length);

        var referrers = await Client.GetReferrersAsync(repository, subject);
        var filtered = await Client.GetReferrersAsync(repository, subject, "application/vnd.example.sbom");

        Assert.Equal(MediaTypes.OciIndex, referrers.MediaType);
        Assert.Contains(signatureDigest.Value, Encoding.UTF8.GetString(referrers.Bytes.Span), StringComparison.Ordinal);
        Assert.DoesNotContain(signatureDigest.Value, Encoding.UTF8.GetString(filtered.Bytes.Span), StringComparison.Ordinal);
    }

    /// <summary>
    /// What a pusher does so that registries without the referrers API list the referrer: nothing where the registry
    /// reads the subject itself, the tag schema's index elsewhere.
    /// </summary>
    protected virtual Task PublishReferrerAsync(string repository, Digest subject, Digest referrer, int size) => Task.CompletedTask;

    /// <summary>Pushes a config and a layer and returns an OCI image manifest of them, with a space the registry must keep.</summary>
    protected async Task<(byte[] Manifest, string MediaType)> PushImageAsync(string repository, string architecture)
    {
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{architecture}}}","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var layer = RandomBytes(2048);
        await Client.PushBlobAsync(repository, Digest.Compute(config), config.Length, new MemoryStream(config));
        await Client.PushBlobAsync(repository, Digest.Compute(layer), layer.Length, new MemoryStream(layer));
        var manifest = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2, "mediaType":"{{{MediaTypes.OciManifest}}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{Digest.Compute(config)}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{Digest.Compute(layer)}}}","size":{{{layer.Length}}}}]}""");
        return (manifest, MediaTypes.OciManifest);
    }

    protected static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
