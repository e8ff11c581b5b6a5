using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Maintenance;
using Wharf.Core.Storage;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Services.Maintenance;

public sealed class StoreCheckTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FileSystemDriver _storage;
    private readonly FakeInventory _inventory = new();

    public StoreCheckTests() => _storage = new FileSystemDriver(_root.Path);

    private async Task<BlobInfo> StoreAsync(byte[] bytes, byte[]? stored = null)
    {
        var blob = new BlobInfo(Digest.Compute(bytes), bytes.Length);
        await using (var writer = await _storage.OpenWriterAsync(StorageLayout.Blob(blob.Digest), 0, CancellationToken.None))
        {
            await writer.WriteAsync(stored ?? bytes, CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        _inventory.Blobs.Add(blob);
        return blob;
    }

    private Task<CheckReport> RunAsync(CheckSettings settings, int seed = 1) =>
        new StoreCheck(_storage, _inventory, new FakeBlobIndex(), new Random(seed)).RunAsync(settings, new NoObserver(), CancellationToken.None);

    [Fact]
    public async Task Whole_blobs_pass_and_wrong_size_wrong_digest_and_missing_are_each_reported()
    {
        var whole = await StoreAsync(RandomNumberGenerator.GetBytes(3000));
        var shortened = await StoreAsync(RandomNumberGenerator.GetBytes(3000), stored: new byte[10]);
        var altered = await StoreAsync(RandomNumberGenerator.GetBytes(3000), stored: new byte[3000]);
        var missing = new BlobInfo(Digest.Compute(new byte[] { 1 }), 1);
        _inventory.Blobs.Add(missing);

        var report = await RunAsync(new CheckSettings());

        Assert.Equal(4, report.BlobsChecked);
        Assert.Equal(3, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Subject == "blob " + shortened.Digest && p.What.StartsWith("wrong size: storage holds 10 bytes", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Subject == "blob " + altered.Digest && p.What == $"wrong digest: the stored bytes hash to {Digest.Compute(new byte[3000])}");
        Assert.Contains(report.Problems, p => p.Subject == "blob " + missing.Digest && p.What == "missing from storage");
        Assert.DoesNotContain(report.Problems, p => p.Subject.Contains(whole.Digest.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_blob_whose_record_went_away_while_it_was_checked_is_no_problem()
    {
        _inventory.Blobs.Add(new BlobInfo(Digest.Compute(new byte[] { 7 }), 1));
        _inventory.Deleted = true;

        var report = await RunAsync(new CheckSettings());

        Assert.True(report.IsClean);
    }

    [Fact]
    public async Task Missing_bytes_of_a_blob_no_repository_links_are_the_collector_at_work_not_a_problem_but_corrupt_ones_are()
    {
        var missing = new BlobInfo(Digest.Compute(new byte[] { 1 }), 1);
        _inventory.Blobs.Add(missing);
        var altered = await StoreAsync(RandomNumberGenerator.GetBytes(100), stored: new byte[100]);
        var unlinked = new FakeBlobIndex { Holders = [] };

        var report = await new StoreCheck(_storage, _inventory, unlinked, new Random(1)).RunAsync(new CheckSettings(), new NoObserver(), CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(new CheckProblem("(no repository)", "blob " + altered.Digest, $"wrong digest: the stored bytes hash to {Digest.Compute(new byte[100])}"), problem);
    }

    [Fact]
    public async Task Repair_moves_only_corrupt_blobs_to_quarantine()
    {
        var altered = await StoreAsync(RandomNumberGenerator.GetBytes(100), stored: new byte[100]);
        var missing = new BlobInfo(Digest.Compute(new byte[] { 1 }), 1);
        _inventory.Blobs.Add(missing);

        var report = await RunAsync(new CheckSettings(Repair: true));

        Assert.Equal(1, report.Quarantined);
        Assert.Null(await _storage.StatAsync(StorageLayout.Blob(altered.Digest), CancellationToken.None));
        Assert.Equal(100, (await _storage.StatAsync(StorageLayout.QuarantinedBlob(altered.Digest), CancellationToken.None))?.Size);
        Assert.Null(await _storage.StatAsync(StorageLayout.QuarantinedBlob(missing.Digest), CancellationToken.None));
    }

    [Fact]
    public async Task A_sample_checks_that_many_distinct_blobs_and_every_blob_can_be_picked()
    {
        for (var i = 0; i < 2500; i++)
        {
            _inventory.Blobs.Add(new BlobInfo(Digest.Compute(BitConverter.GetBytes(i)), 4));
        }

        var picked = new HashSet<Digest>();
        for (var seed = 0; seed < 40; seed++)
        {
            var observer = new PickedObserver();
            var report = await new StoreCheck(_storage, _inventory, new FakeBlobIndex(), new Random(seed))
                .RunAsync(new CheckSettings(new SampleSize(200, null)), observer, CancellationToken.None);
            Assert.Equal(200, report.BlobsChecked);
            Assert.Equal(200, observer.Digests.Distinct().Count());
            picked.UnionWith(observer.Digests);
        }

        // 40 samples of 8% miss a given blob with probability 0.92^40 ≈ 3.6%; most blobs, across all pages, are picked.
        Assert.True(picked.Count > 2300, $"only {picked.Count} of 2500 blobs were ever picked");
        Assert.Contains(picked, d => _inventory.Blobs.FindIndex(b => b.Digest == d) >= 2000);
    }

    public void Dispose() => _root.Dispose();

    private sealed class FakeInventory : IMetadataInventory
    {
        public List<BlobInfo> Blobs { get; } = [];

        public bool Deleted { get; set; }

        public ValueTask<MetadataCounts> CountAsync(CancellationToken cancellationToken) => new(new MetadataCounts(1, Blobs.Count, Blobs.Count, 0, 0, 0));

        public ValueTask<IReadOnlyList<BlobInfo>> ListBlobsAsync(string? after, int limit, CancellationToken cancellationToken) =>
            new(Blobs.OrderBy(b => b.Digest.Value, StringComparer.Ordinal).Where(b => after is null || string.CompareOrdinal(b.Digest.Value, after) > 0).Take(limit).ToList());

        public ValueTask<BlobInfo?> FindBlobAsync(Digest digest, CancellationToken cancellationToken) =>
            new(Deleted ? null : Blobs.Find(b => b.Digest == digest));

        public async IAsyncEnumerable<ReferenceProblem> FindBrokenReferencesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    private sealed class FakeBlobIndex : IBlobIndex
    {
        public IReadOnlyList<string> Holders { get; init; } = ["library/app"];

        public ValueTask<BlobInfo?> GetAsync(Digest digest, CancellationToken cancellationToken) => new((BlobInfo?)null);

        public ValueTask<BlobInfo?> GetInRepositoryAsync(string repository, Digest digest, CancellationToken cancellationToken) => new((BlobInfo?)null);

        public ValueTask<bool> LinkExistingAsync(string repository, Digest digest, CancellationToken cancellationToken) => new(false);

        public ValueTask<IReadOnlyList<string>> ListRepositoriesAsync(Digest digest, int limit, CancellationToken cancellationToken) => new(Holders);

        public ValueTask LinkAsync(string repository, BlobInfo blob, string? completedUpload, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> UnlinkAsync(string repository, Digest digest, CancellationToken cancellationToken) => new(false);
    }

    private class NoObserver : ICheckObserver
    {
        public void BlobsStarting(long blobs, long? bytes)
        {
        }

        public virtual void BlobChecked(BlobInfo blob)
        {
        }

        public void ProblemFound(CheckProblem problem)
        {
        }

        public void BlobsDone()
        {
        }
    }

    private sealed class PickedObserver : NoObserver
    {
        public List<Digest> Digests { get; } = [];

        public override void BlobChecked(BlobInfo blob)
        {
            lock (Digests)
            {
                Digests.Add(blob.Digest);
            }
        }
    }
}
