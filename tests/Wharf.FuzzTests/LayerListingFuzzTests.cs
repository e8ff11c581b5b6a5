using System.IO.Compression;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Layers;
using Wharf.Core.Storage;
using Wharf.FuzzTests.Harness;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.FuzzTests;

/// <summary>
/// The layer file browser's lister (compression sniffing, gzip and zstd, the tar reader, the listing file), driven
/// through <see cref="LayerListingService"/> as the API does: random bytes, mutated tar, tgz and tzst seeds and
/// truncated streams list or are refused as no tar archive, never throw; a mutated tar lists the same whether it is
/// stored plain, gzip- or zstd-compressed.
/// </summary>
public sealed class LayerListingFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Repository = "fuzz/layers";
    private const int MaxLayer = 64 * 1024;

    /// <summary>Per byte of blob and of uncompressed tar read: the tar reader, the decompressors and the listing file.</summary>
    private static readonly Bounded.Allowance Allowance = new(8 * 1024 * 1024, 256);

    private readonly TempDirectory _temp = new("wharf-fuzz-layers");
    private SqliteDatabase? _database;
    private LayerListingService? _service;
    private FileSystemDriver? _storage;

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(CancellationToken.None);
        _storage = new FileSystemDriver(Path.Combine(_temp.Path, "data"));
        _service = new LayerListingService(new SqlBlobIndex(_database, TimeProvider.System), new SqlManifestReader(_database), _storage,
            new LayerBrowserOptions(), TimeProvider.System, NullLogger<LayerListingService>.Instance);
    }

    public Task DisposeAsync()
    {
        _service?.Dispose();
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Any_blob_lists_or_is_refused_as_no_tar_archive()
    {
        var run = new FuzzRun(output, "layer");
        var blobs = Gen.Frequency(
            (3, Mutations.SeededOrRandom(run.Seeds, Tokens.Of("ustar", "ustar  \0", "././@LongLink", "PaxHeader", "path=", "30 ", "\u001f\u008b"), MaxLayer)),
            (2, Gen.Select(Mutations.Of(TarSeeds(run), [], MaxLayer), Gen.Int[0, 2], Compress)));
        await run.CheckAsync(blobs, file => file.Bytes, async blob => await ListAsync(blob), FuzzSettings.IterationsFor(8), Bounded.Show);
    }

    [Fact]
    public async Task A_mutated_tar_lists_the_same_plain_gzip_or_zstd()
    {
        var run = new FuzzRun(output, "layer", IsTar);
        await run.CheckAsync(Mutations.Of(run.Seeds, [], MaxLayer), file => file.Bytes, async tar =>
        {
            var plain = await ListAsync(tar);
            var gzip = await ListAsync(Compress(tar, 1));
            var zstd = await ListAsync(Compress(tar, 2));
            if (plain.Error?.Code != gzip.Error?.Code || plain.Error?.Code != zstd.Error?.Code
                || plain.IsOk && (!Same(plain.Value, gzip.Value) || !Same(plain.Value, zstd.Value)))
            {
                throw new FuzzFailure($"layer: {Bounded.Show(tar)} lists differently plain, gzip and zstd");
            }
        }, FuzzSettings.IterationsFor(16), Bounded.Show);
    }

    private static bool IsTar(CorpusFile file) => file.Name.EndsWith(".tar", StringComparison.Ordinal);

    private static List<byte[]> TarSeeds(FuzzRun run) => [.. run.Corpus.Where(IsTar).Select(f => f.Bytes)];

    private static bool Same(LayerListingPage a, LayerListingPage b) => a.Total == b.Total && a.Truncated == b.Truncated && a.Entries.SequenceEqual(b.Entries);

    private async Task<Result<LayerListingPage>> ListAsync(byte[] blob)
    {
        var digest = Digest.Compute(blob);
        await using (var writer = await _storage!.OpenWriterAsync(StorageLayout.Blob(digest), 0, CancellationToken.None))
        {
            await writer.WriteAsync(blob, CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        await new SqlBlobIndex(_database!, TimeProvider.System).LinkAsync(Repository, new BlobInfo(digest, blob.Length), null, CancellationToken.None);
        var shown = Bounded.Show(blob);
        var page = await Bounded.RunAsync("layer", shown, blob.Length, Allowance,
            async () => await _service!.GetPageAsync(Repository, digest, null, 1, LayerListingService.MaxPerPage, CancellationToken.None));
        var children = await Bounded.RunAsync("layer children", shown, blob.Length, Allowance,
            async () => await _service!.GetChildrenAsync(Repository, digest, null, 1, LayerListingService.MaxPerPage, CancellationToken.None));
        foreach (var error in new[] { page.Error, children.Error })
        {
            if (error is not null && error.Code != ErrorCode.ApiRequestInvalid)
            {
                throw new FuzzFailure($"layer: {shown} failed with {error.Code}, not API_REQUEST_INVALID");
            }
        }

        if (page.IsOk != children.IsOk)
        {
            throw new FuzzFailure($"layer: {shown} lists ({page.IsOk}) but its root's children do not ({children.IsOk}), or the other way round");
        }

        if (page.IsOk)
        {
            var badPath = page.Value.Entries.Select(e => e.Path).FirstOrDefault(p => p.Length == 0 || p.StartsWith('/') || p.StartsWith("./", StringComparison.Ordinal)
                || p.EndsWith('/') || p.Contains("//", StringComparison.Ordinal));
            var badChild = children.Value.Entries.FirstOrDefault(c => c.Name.Length == 0 || c.Name.Contains('/', StringComparison.Ordinal));
            if (badPath is not null || badChild is not null || page.Value.Total < page.Value.Entries.Count)
            {
                throw new FuzzFailure($"layer: {shown} listed a path {Bounded.Show(badPath ?? "")} or child {badChild} not normalised, or a total below its entries");
            }
        }

        return page;
    }

    private static byte[] Compress(byte[] tar, int how)
    {
        if (how == 0)
        {
            return tar;
        }

        using var output = new MemoryStream();
        using (Stream compressor = how == 1
            ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)
            : new ZstdSharp.CompressionStream(output, level: 3, leaveOpen: true))
        {
            compressor.Write(tar);
        }

        return output.ToArray();
    }
}
