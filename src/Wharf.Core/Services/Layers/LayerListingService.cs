using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;

namespace Wharf.Core.Services.Layers;

/// <summary>
/// The layer file browser: lists a layer blob's tar entries, page by page. The first request for a layer streams
/// the blob through its decompressor once and stores a sorted, indexed listing in storage
/// (<see cref="StorageLayout.LayerListing"/>); every later request, on any instance sharing the storage, reads only
/// the header, the block index and the page's block from it. See docs/design/layer-browser.md.
/// </summary>
public sealed partial class LayerListingService(
    IBlobIndex blobs, IManifestReader manifests, IStorageDriver storage, LayerBrowserOptions options, TimeProvider time, ILogger<LayerListingService> logger)
    : IDisposable
{
    public const int MaxPerPage = 5000;

    private readonly LayerBrowserOptions _options = options;
    private readonly string _cacheKey = $"v{ListingFile.Version}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.Fingerprint)))[..8]}";
    private readonly ConcurrentDictionary<string, Lazy<Task<RegistryError?>>> _builds = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(options.ConcurrentBuilds);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Where the listing of <paramref name="digest"/> is cached under the current limits.</summary>
    public string CachePath(Digest digest) => StorageLayout.LayerListing(digest, _cacheKey);

    /// <summary>
    /// Page <paramref name="page"/> (1-based) of the entries of layer <paramref name="digest"/>, all of them or those
    /// below <paramref name="directory"/>. NAME_UNKNOWN for an unknown repository, BLOB_UNKNOWN for a blob the
    /// repository cannot see, API_REQUEST_INVALID for a blob that is no tar archive.
    /// </summary>
    public ValueTask<Result<LayerListingPage>> GetPageAsync(
        string repository, Digest digest, string? directory, int page, int perPage, CancellationToken cancellationToken)
    {
        var prefix = DirectoryOf(directory);
        return ReadListingAsync(repository, digest, async reader =>
        {
            var (start, end) = await reader.RangeAsync(prefix, cancellationToken);
            var (first, last) = PageOf(start, end, page, perPage);
            var entries = await reader.ReadAsync(first, last, cancellationToken);
            return new LayerListingPage(digest.Value, end - start, page, perPage, reader.Header.Truncation != TruncationReason.None, entries);
        }, cancellationToken);
    }

    /// <summary>
    /// Page <paramref name="page"/> (1-based) of the direct children of <paramref name="directory"/> (the root when
    /// null) in layer <paramref name="digest"/>: directories first, then by name; directories the archive only
    /// implies included. Reads one run of the listing's children section, however large the directory's subtree.
    /// Errors as <see cref="GetPageAsync"/>.
    /// </summary>
    public ValueTask<Result<LayerChildrenPage>> GetChildrenAsync(
        string repository, Digest digest, string? directory, int page, int perPage, CancellationToken cancellationToken)
    {
        var parent = DirectoryOf(directory);
        return ReadListingAsync(repository, digest, async reader =>
        {
            var (start, end) = await reader.ChildRangeAsync(parent, cancellationToken);
            var (first, last) = PageOf(start, end, page, perPage);
            var children = await reader.ReadChildrenAsync(first, last, cancellationToken);
            return new LayerChildrenPage(digest.Value, parent ?? "", end - start, page, perPage, reader.Header.Truncation != TruncationReason.None, children);
        }, cancellationToken);
    }

    /// <summary>The records [first, last) of page <paramref name="page"/> (1-based) within the run [start, end).</summary>
    private static (long First, long Last) PageOf(long start, long end, int page, int perPage)
    {
        var first = Math.Min(end, start + (long)(page - 1) * perPage);
        return (first, Math.Min(end, first + perPage));
    }

    /// <summary>A directory parameter normalised like entry paths; null for the root.</summary>
    private static string? DirectoryOf(string? directory) =>
        directory is null ? null : ListingBuilder.Normalize(directory) is var path && path != "." ? path : null;

    /// <summary>
    /// Checks the blob is visible in the repository, builds its listing if it is not cached yet, and reads from it. A
    /// damaged cache file is deleted and built again once.
    /// </summary>
    private async ValueTask<Result<T>> ReadListingAsync<T>(
        string repository, Digest digest, Func<ListingFileReader, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        var blob = await blobs.GetInRepositoryAsync(repository, digest, cancellationToken);
        if (blob is null)
        {
            return await manifests.ListTagsAsync(repository, null, 1, cancellationToken) is null ? ErrorCode.NameUnknown : ErrorCode.BlobUnknown;
        }

        var path = CachePath(digest);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var reader = await ListingFileReader.OpenAsync(storage, path, cancellationToken);
                if (reader is null)
                {
                    if (await BuildOnceAsync(digest, blob.Size, path).WaitAsync(cancellationToken) is { } error)
                    {
                        return error;
                    }

                    reader = await ListingFileReader.OpenAsync(storage, path, cancellationToken)
                        ?? throw new InvalidOperationException($"the listing of {digest} was built but cannot be read at {path}");
                }

                await using (reader)
                {
                    return await read(reader);
                }
            }
            catch (InvalidDataException e) when (attempt == 0)
            {
                // Only a damaged cache file gets here (listing files are written whole, then moved): drop it, build again.
                LogDamagedListing(logger, digest.Value, e.Message);
                await storage.DeleteAsync(path, cancellationToken);
            }
        }
    }

    /// <summary>One build per layer at a time in this process; every request for that layer awaits the same build.</summary>
    private Task<RegistryError?> BuildOnceAsync(Digest digest, long compressedSize, string path)
    {
        var build = _builds.GetOrAdd(path, _ => new Lazy<Task<RegistryError?>>(() => Task.Run(() => BuildAsync(digest, compressedSize, path))));
        var task = build.Value;
        _ = task.ContinueWith(_ => _builds.TryRemove(new KeyValuePair<string, Lazy<Task<RegistryError?>>>(path, build)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>
    /// Streams the blob through its decompressor into a listing, writes it to a partial object and moves it into place.
    /// Not tied to any one request: a caller that gives up does not waste the work for the others.
    /// </summary>
    private async Task<RegistryError?> BuildAsync(Digest digest, long compressedSize, string path)
    {
        var cancellationToken = _stopping.Token;
        await _slots.WaitAsync(cancellationToken);
        try
        {
            // Another instance (or an earlier build here) may have finished it while this one waited for a slot.
            if (await storage.StatAsync(path, cancellationToken) is not null)
            {
                return null;
            }

            var started = time.GetTimestamp();
            var blob = await storage.OpenReadAsync(StorageLayout.Blob(digest), 0, cancellationToken);
            if (blob is null)
            {
                return ErrorCode.BlobUnknown;
            }

            var (tar, compression) = await LayerStreams.OpenAsync(blob, cancellationToken);
            if (tar is null)
            {
                return new RegistryError(ErrorCode.ApiRequestInvalid, $"{digest} is compressed with xz or bzip2; the file browser reads plain, gzip and zstd tar layers");
            }

            var build = await ListingBuilder.ReadAsync(tar, _options.UncompressedBudget(compressedSize), _options, cancellationToken);
            if (build is null)
            {
                return new RegistryError(ErrorCode.ApiRequestInvalid, $"{digest} is not a tar archive (plain, gzip or zstd)");
            }

            var partial = StorageLayout.PartialLayerListing(Guid.NewGuid());
            await using (var writer = await storage.OpenWriterAsync(partial, 0, cancellationToken))
            {
                try
                {
                    await ListingFile.WriteAsync(writer, build, cancellationToken);
                    await writer.CommitAsync(cancellationToken);
                }
                catch
                {
                    await writer.CancelAsync(CancellationToken.None);
                    throw;
                }
            }

            await storage.MoveAsync(partial, path, cancellationToken);
            LogBuilt(logger, digest.Value, compression.ToString().ToLowerInvariant(), build.Records.Count, build.UncompressedBytes,
                build.Truncation.ToString(), time.GetElapsedTime(started).TotalMilliseconds);
            return null;
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Stops builds in progress (at shutdown). Their partial objects are cancelled, nothing half-written is moved into place.</summary>
    public void Dispose() => _stopping.Cancel();

    [LoggerMessage(EventId = 6000, Level = LogLevel.Information,
        Message = "Listed layer {Digest} ({Compression}): {Entries} entries, {Bytes} uncompressed bytes, truncation {Truncation}, in {Milliseconds:F0} ms")]
    private static partial void LogBuilt(ILogger logger, string digest, string compression, int entries, long bytes, string truncation, double milliseconds);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "The cached listing of layer {Digest} is damaged ({Reason}); building it again")]
    private static partial void LogDamagedListing(ILogger logger, string digest, string reason);
}
