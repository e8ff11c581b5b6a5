using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

/// <summary>The metadata roles under test, all over one store.</summary>
public sealed record MetadataStores(
    IBlobIndex Blobs,
    IManifestReader Reader,
    IManifestWriter Writer,
    IRepositoryReader Repositories,
    IUploadSessionStore Uploads,
    IUserStore Users,
    IAccessTokenStore Tokens,
    ISigningKeyStore SigningKeyStore,
    ILoginFailureStore LoginFailures,
    RepositoryInfoRoles Info,
    PolicyStores Policies);

/// <summary>The roles behind namespace quotas and retention.</summary>
public sealed record PolicyStores(INamespaceUsageStore Usage, IRetentionReader Retention);

/// <summary>The roles behind repository pages and search (migration 0004).</summary>
public sealed record RepositoryInfoRoles(IRepositoryInfoStore Store, IRepositorySearch Search, IUsageWriter Usage, IPullStatsReader Pulls);

/// <summary>
/// What every metadata store must do, through the role interfaces of Wharf.Core.Metadata. A subclass
/// supplies fresh, empty stores per test that read the clock from the given time provider.
/// </summary>
public abstract partial class MetadataStoreContract : IAsyncLifetime
{
    private MetadataStores? _stores;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    protected MetadataStores Stores => _stores ?? throw new InvalidOperationException("stores not created");

    protected IBlobIndex Blobs => Stores.Blobs;

    protected IManifestReader Reader => Stores.Reader;

    protected IManifestWriter Writer => Stores.Writer;

    protected IRepositoryReader Repositories => Stores.Repositories;

    protected IUploadSessionStore Uploads => Stores.Uploads;

    protected IUserStore Users => Stores.Users;

    protected IAccessTokenStore Tokens => Stores.Tokens;

    protected ISigningKeyStore SigningKeyStore => Stores.SigningKeyStore;

    protected ILoginFailureStore LoginFailures => Stores.LoginFailures;

    protected RepositoryInfoRoles Info => Stores.Info;

    protected static CancellationToken None => CancellationToken.None;

    protected abstract Task<MetadataStores> CreateStoresAsync(TimeProvider time);

    protected abstract Task DestroyStoresAsync();

    public async Task InitializeAsync() => _stores = await CreateStoresAsync(Time);

    public Task DisposeAsync() => DestroyStoresAsync();

    protected static Digest BlobDigest(string seed) => Digest.Compute(Encoding.UTF8.GetBytes("blob:" + seed));

    protected async Task<Digest> LinkBlobAsync(string repository, string seed, long size = 100)
    {
        var digest = BlobDigest(seed);
        await Blobs.LinkAsync(repository, new BlobInfo(digest, size), null, None);
        return digest;
    }

    /// <summary>An image manifest record whose payload is unique to <paramref name="seed"/>.</summary>
    protected static ManifestRecord Image(string seed, IReadOnlyList<Digest> blobs, Digest? subject = null, string? artifactType = "application/vnd.oci.image.config.v1+json", string? annotations = null)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"seed\":\"{seed}\"}}");
        return new ManifestRecord(Digest.Compute(payload), MediaTypes.OciManifest, payload, artifactType, subject, annotations, blobs, []);
    }

    protected static ManifestRecord Index(string seed, IReadOnlyList<Digest> children)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"index\":\"{seed}\"}}");
        return new ManifestRecord(Digest.Compute(payload), MediaTypes.OciIndex, payload, null, null, null, [], children);
    }

    /// <summary>Links the blobs and stores an image manifest in <paramref name="repository"/>.</summary>
    protected async Task<ManifestRecord> PushImageAsync(string repository, string seed, string? tag = null)
    {
        var config = await LinkBlobAsync(repository, seed + "-config");
        var layer = await LinkBlobAsync(repository, seed + "-layer");
        var manifest = Image(seed, [config, layer]);
        Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync(repository, manifest, tag, None)).Status);
        return manifest;
    }

    protected async Task<IReadOnlyList<string>> CatalogAsync() => (await Repositories.ListAsync(null, 1000, None)).Items;
}
