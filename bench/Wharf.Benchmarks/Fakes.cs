using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Benchmarks;

/// <summary>In-memory metadata that answers only what the GET/HEAD benchmarks ask: one manifest, one tag, one blob.</summary>
public sealed class InMemoryMetadata(StoredManifest manifest, string tag, BlobInfo blob)
    : IManifestReader, IManifestWriter, IBlobIndex, IRepositoryReader, IUploadSessionStore
{
    private readonly ValueTask<StoredManifest?> _manifest = ValueTask.FromResult<StoredManifest?>(manifest);
    private readonly ValueTask<BlobInfo?> _blob = ValueTask.FromResult<BlobInfo?>(blob);

    public ValueTask<StoredManifest?> GetAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        digest == manifest.Digest ? _manifest : default;

    public ValueTask<StoredManifest?> GetByTagAsync(string repository, string tag1, CancellationToken cancellationToken) =>
        tag1 == tag ? _manifest : default;

    public ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken) =>
        digest == blob.Digest ? _blob : default;

    public ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        digest == blob.Digest ? _blob : default;

    public ValueTask<Page<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<Referrer>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<ManifestPutResult> PutAsync(string repository, ManifestRecord manifest1, string? tag1, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> DeleteAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> DeleteTagAsync(string repository, string tag1, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<ConditionalTagDelete> DeleteTagIfAsync(string repository, string tag1, Digest expected, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask LinkAsync(string repository, BlobInfo blob1, string? completedUpload, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<Page<string>> ListAsync(string? last, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken) => throw new NotSupportedException();

    ValueTask<UploadSession?> IUploadSessionStore.GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

    ValueTask<bool> IUploadSessionStore.DeleteAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A storage writer that drops the bytes: measures the copy loop and hashing alone.</summary>
public sealed class NullStorageWriter : IStorageWriter
{
    public long Size { get; private set; }

    public string? Version => null;

    public string? BaseVersion => null;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        Size += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CancelAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Drops counted pulls: the benchmark measures what a pull costs on the request path (counting in memory).</summary>
public sealed class NullUsageWriter : IUsageWriter
{
    public ValueTask ApplyAsync(UsageBatch batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
