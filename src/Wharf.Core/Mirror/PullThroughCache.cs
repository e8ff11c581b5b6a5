using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Wharf.Core.Errors;
using Wharf.Core.Protocol;
using Wharf.Core.Services;

namespace Wharf.Core.Mirror;

/// <summary>A manifest served from the cache; <see cref="Warning"/> is set when it is served because the upstream failed.</summary>
public sealed record MirroredManifest(CachedManifest Manifest, string? Warning);

/// <summary>A blob being fetched, streamed as it arrives; the caller disposes <see cref="Content"/>.</summary>
public sealed record MirroredBlob(Stream Content, long Length);

/// <summary>
/// The pull-through cache: manifests by tag (revalidated after the upstream's TTL) and by digest (immutable), and blobs
/// fetched once per instance and streamed to every client while they are stored. See docs/design/mirroring.md.
/// </summary>
public sealed partial class PullThroughCache(
    MirrorOptions options,
    IUpstreamRegistries upstreams,
    CachedManifests manifests,
    UploadService uploads,
    BlobService blobs,
    TimeProvider time,
    ILogger<PullThroughCache> logger,
    MirrorMetrics? metrics = null,
    ServedTimes? served = null)
{
    /// <summary>The <c>Retry-After</c> of an <c>UNAVAILABLE</c> answer: long enough not to hammer a failing upstream, short enough for a client's retries.</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Digest, BlobFetch> _fetches = new();
    private readonly ConcurrentDictionary<(string Repository, string Tag), Task<Result<MirroredManifest>>> _revalidations = new();

    /// <summary>The <c>Warning</c> header of an answer served from cache because the upstream failed.</summary>
    public static string WarningHeader(string reason) => $"110 wharf \"upstream unavailable: {reason.Replace('"', '\'')}\"";

    /// <summary>
    /// The manifest <paramref name="reference"/> (a tag or digest) of a cached repository, from cache or upstream. What is
    /// served is noted (<see cref="ServedTimes"/>): the tag and the manifest, so eviction keeps what is pulled.
    /// </summary>
    public async ValueTask<Result<MirroredManifest>> GetManifestAsync(MirroredName name, string reference, CancellationToken cancellationToken)
    {
        var result = await GetManifestCoreAsync(name, reference, cancellationToken);
        if (result.IsOk && served is not null)
        {
            if (!Digest.TryParse(reference, out _))
            {
                await served.NoteAsync(name.Repository, CachedManifests.TagKey(reference), cancellationToken);
            }

            await served.NoteAsync(name.Repository, CachedManifests.ManifestKey(result.Value.Manifest.Digest), cancellationToken);
        }

        return result;
    }

    private async ValueTask<Result<MirroredManifest>> GetManifestCoreAsync(MirroredName name, string reference, CancellationToken cancellationToken)
    {
        var prefix = name.Upstream.Prefix;
        if (Digest.TryParse(reference, out var digest))
        {
            if (await manifests.GetAsync(name.Repository, digest, cancellationToken) is { } cached)
            {
                metrics?.Request(prefix, "manifest", "hit");
                return new MirroredManifest(cached, null);
            }

            var fetched = await FetchManifestAsync(name, reference, digest, cancellationToken);
            return fetched.IsOk ? new MirroredManifest(fetched.Value, null) : fetched.Error!;
        }

        var now = time.GetUtcNow();
        var tag = await manifests.GetTagAsync(name.Repository, reference, cancellationToken);
        var current = tag is null ? null : await manifests.GetAsync(name.Repository, tag.Digest, cancellationToken);
        if (tag is not null && current is not null)
        {
            if (now - tag.CheckedAt < name.Upstream.TagTtl)
            {
                metrics?.Request(prefix, "manifest", "hit");
                return new MirroredManifest(current, null);
            }

            return await RevalidateOnceAsync(name, reference, cancellationToken);
        }

        return await FetchTagAsync(name, reference, now, cancellationToken);
    }

    /// <summary>
    /// Fetches a blob the repository does not hold: joins the fetch already under way on this instance or starts one, and
    /// returns a stream following it. The fetch itself does not depend on <paramref name="cancellationToken"/>: a client
    /// that goes away leaves it to complete and be stored.
    /// </summary>
    public async ValueTask<Result<MirroredBlob>> FetchBlobAsync(MirroredName name, Digest digest, CancellationToken cancellationToken)
    {
        var prefix = name.Upstream.Prefix;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var fetch = _fetches.GetOrAdd(digest, d => new BlobFetch(d, TempPath(d), options.AbandonedFetchLimit));
            var joined = !fetch.TryClaim();
            if (!joined)
            {
                // The fetch before this one may have been stored after the caller found the blob missing: serve that.
                MirroredBlob? stored;
                try
                {
                    stored = await OpenStoredAsync(name, digest, CancellationToken.None);
                }
                catch
                {
                    Withdraw(fetch);
                    throw;
                }

                if (stored is not null)
                {
                    Withdraw(fetch);
                    metrics?.Request(prefix, "blob", "hit");
                    return stored;
                }

                Start(name, fetch);
            }

            long length;
            try
            {
                length = await fetch.Started.WaitAsync(cancellationToken);
            }
            catch (UpstreamException error)
            {
                return Error(name, error, ErrorCode.BlobUnknown);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // withdrawn by the request that claimed it: the blob is stored, the next attempt finds it
            }

            if (fetch.TryOpenReader() is { } reader)
            {
                metrics?.Request(prefix, "blob", joined ? "hit" : "miss");
                return new MirroredBlob(reader, length);
            }

            if (fetch.Abandoned)
            {
                // Its clients left it with much to come and it is being cancelled: this request starts a new one.
                _fetches.TryRemove(new KeyValuePair<Digest, BlobFetch>(digest, fetch));
                continue;
            }

            // That fetch ended between the lookup and the open: its blob is stored now, or it failed and a new one starts.
            // A small blob's fetch can be stored before the request that started it opens its reader: still a miss.
            if (await OpenStoredAsync(name, digest, cancellationToken) is { } cached)
            {
                metrics?.Request(prefix, "blob", joined ? "hit" : "miss");
                return cached;
            }
        }

        return new RegistryError(ErrorCode.UpstreamUnavailable, $"the blob could not be fetched from upstream {prefix}") { RetryAfter = UnavailableRetryAfter };
    }

    /// <summary>
    /// Completes once no blob fetch is under way on this instance, each one stored or failed. A client gets a fetched
    /// blob's last byte as soon as its digest verified, before the blob is stored: what must know it is stored (tests,
    /// tools) waits here.
    /// </summary>
    public async Task WaitForFetchesAsync(CancellationToken cancellationToken)
    {
        while (_fetches.Values.ToArray() is { Length: > 0 } running)
        {
            await Task.WhenAll(running.Select(f => f.Finished)).WaitAsync(cancellationToken);
        }
    }

    /// <summary>Counts a blob of a cached repository served from storage, without the cache's help.</summary>
    public void RecordBlobHit(MirroredName name) => metrics?.Request(name.Upstream.Prefix, "blob", "hit");

    private string TempPath(Digest digest) => Path.Combine(options.FetchDirectory, $"{digest.Encoded}-{Guid.NewGuid():N}");

    private async Task<MirroredBlob?> OpenStoredAsync(MirroredName name, Digest digest, CancellationToken cancellationToken)
    {
        var stat = await blobs.StatAsync(name.Repository, digest, cancellationToken);
        if (!stat.IsOk)
        {
            return null;
        }

        var opened = await blobs.OpenAsync(digest, 0, cancellationToken);
        return opened.IsOk ? new MirroredBlob(opened.Value, stat.Value.Size) : null;
    }

    /// <summary>Takes back a fetch claimed but never started: out of the map, and whoever joined it tries again.</summary>
    private void Withdraw(BlobFetch fetch)
    {
        _fetches.TryRemove(new KeyValuePair<Digest, BlobFetch>(fetch.Digest, fetch));
        fetch.Withdraw();
        fetch.MarkFinished();
    }

    /// <summary>Runs the fetch in the background, on its own deadline rather than any client's.</summary>
    private void Start(MirroredName name, BlobFetch fetch)
    {
        var digest = fetch.Digest;
        Directory.CreateDirectory(options.FetchDirectory);
        var prefix = name.Upstream.Prefix;
        _ = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(options.FetchTimeout, time);
            bool stored;
            try
            {
                stored = await fetch.RunAsync(
                    ct => Upstream(name).GetBlobAsync(name.UpstreamName, digest, ct),
                    (path, _, ct) => CommitAsync(name, digest, path, ct),
                    bytes => metrics?.UpstreamBytes(prefix, bytes),
                    timeout.Token);
            }
            finally
            {
                _fetches.TryRemove(new KeyValuePair<Digest, BlobFetch>(digest, fetch));
                fetch.MarkFinished();
            }

            if (!stored && fetch.Abandoned)
            {
                LogFetchAbandoned(logger, name.Repository, digest.Value, options.AbandonedFetchLimit);
            }
            else if (!stored)
            {
                var failure = fetch.Started.IsFaulted ? fetch.Started.Exception?.InnerException?.Message : "the transfer failed";
                metrics?.UpstreamError(prefix, "unavailable");
                LogFetchFailed(logger, name.Repository, digest.Value, failure ?? "unknown");
            }
        });
    }

    private async Task CommitAsync(MirroredName name, Digest digest, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        // With its length, a small blob (a config, a signature) is kept in the database like one pushed whole.
        var committed = await uploads.PutMonolithicAsync(name.Repository, digest, file, cancellationToken, file.Length);
        if (!committed.IsOk)
        {
            throw new InvalidOperationException($"storing {digest} failed: {committed.Error!.Message}");
        }
    }

    /// <summary>
    /// Revalidates a tag past its TTL, once per (repository, tag) however many requests want it at the same time: the
    /// first runs it (on no client's cancellation, bounded by the upstream's timeout) and the others wait for its answer.
    /// </summary>
    private async Task<Result<MirroredManifest>> RevalidateOnceAsync(MirroredName name, string reference, CancellationToken cancellationToken)
    {
        var key = (name.Repository, reference);
        var mine = new TaskCompletionSource<Result<MirroredManifest>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _revalidations.GetOrAdd(key, mine.Task);
        if (running != mine.Task)
        {
            return await running.WaitAsync(cancellationToken);
        }

        try
        {
            mine.SetResult(await RevalidateAsync(name, reference, CancellationToken.None));
        }
        catch (Exception error)
        {
            mine.SetException(error);
        }
        finally
        {
            _revalidations.TryRemove(new KeyValuePair<(string, string), Task<Result<MirroredManifest>>>(key, mine.Task));
        }

        return await mine.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One <c>HEAD</c> upstream: same digest → the check time moves; another → fetched and re-tagged; failing → served stale.</summary>
    private async Task<Result<MirroredManifest>> RevalidateAsync(MirroredName name, string reference, CancellationToken cancellationToken)
    {
        var prefix = name.Upstream.Prefix;
        var now = time.GetUtcNow();

        // Read again: a revalidation that ended just before this one started may have refreshed or moved the tag.
        var tag = await manifests.GetTagAsync(name.Repository, reference, cancellationToken);
        var current = tag is null ? null : await manifests.GetAsync(name.Repository, tag.Digest, cancellationToken);
        if (tag is null || current is null)
        {
            return await FetchTagAsync(name, reference, now, cancellationToken);
        }

        if (now - tag.CheckedAt < name.Upstream.TagTtl)
        {
            metrics?.Request(prefix, "manifest", "hit");
            return new MirroredManifest(current, null);
        }

        try
        {
            var upstreamDigest = await Upstream(name).HeadManifestAsync(name.UpstreamName, reference, cancellationToken);
            if (upstreamDigest == tag.Digest)
            {
                await manifests.PutTagAsync(name.Repository, reference, new CachedTag(tag.Digest, now), cancellationToken);
                metrics?.Request(prefix, "manifest", "hit");
                return new MirroredManifest(current, null);
            }
        }
        catch (UpstreamException error) when (error.Failure != UpstreamFailure.NotFound)
        {
            Count(prefix, error);
            LogStale(logger, name.Repository, reference, error.Message);
            metrics?.Request(prefix, "manifest", "stale");
            return new MirroredManifest(current, WarningHeader(error.Message));
        }
        catch (UpstreamException error)
        {
            Count(prefix, error);
            await manifests.DeleteTagAsync(name.Repository, reference, cancellationToken);
            return ErrorCode.ManifestUnknown;
        }

        return await FetchTagAsync(name, reference, now, cancellationToken);
    }

    /// <summary>Fetches the manifest a tag names upstream and tags it in the cache, checked at <paramref name="now"/>.</summary>
    private async Task<Result<MirroredManifest>> FetchTagAsync(MirroredName name, string reference, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = await FetchManifestAsync(name, reference, null, cancellationToken);
        if (!result.IsOk)
        {
            return result.Error!;
        }

        await manifests.PutTagAsync(name.Repository, reference, new CachedTag(result.Value.Digest, now), cancellationToken);
        return new MirroredManifest(result.Value, null);
    }

    private async ValueTask<Result<CachedManifest>> FetchManifestAsync(MirroredName name, string reference, Digest? expected, CancellationToken cancellationToken)
    {
        var prefix = name.Upstream.Prefix;
        UpstreamManifest fetched;
        try
        {
            fetched = await Upstream(name).GetManifestAsync(name.UpstreamName, reference, cancellationToken);
        }
        catch (UpstreamException error)
        {
            return Error(name, error, ErrorCode.ManifestUnknown);
        }

        var digest = Digest.Compute(expected?.Algorithm ?? Digest.Sha256, fetched.Payload);
        if (expected is not null && digest != expected)
        {
            metrics?.UpstreamError(prefix, "digest");
            return new RegistryError(ErrorCode.UpstreamUnavailable, $"upstream {prefix} answered {expected} with content of digest {digest}") { RetryAfter = UnavailableRetryAfter };
        }

        var manifest = new CachedManifest(digest, fetched.MediaType, fetched.Payload);
        await manifests.PutAsync(name.Repository, manifest, cancellationToken);
        metrics?.Request(prefix, "manifest", "miss");
        return manifest;
    }

    private RegistryError Error(MirroredName name, UpstreamException error, ErrorCode notFound)
    {
        Count(name.Upstream.Prefix, error);
        return error.Failure switch
        {
            UpstreamFailure.NotFound => new RegistryError(notFound),
            // The upstream's own Retry-After is passed on: retrying through the cache sooner would only be refused again.
            UpstreamFailure.TooManyRequests => new RegistryError(ErrorCode.TooManyRequests, $"upstream {name.Upstream.Prefix} is rate limiting: {error.Message}")
            {
                RetryAfter = error.RetryAfter ?? UnavailableRetryAfter,
            },
            _ => new RegistryError(ErrorCode.UpstreamUnavailable, $"upstream {name.Upstream.Prefix} is unavailable: {error.Message}") { RetryAfter = UnavailableRetryAfter },
        };
    }

    private void Count(string prefix, UpstreamException error) => metrics?.UpstreamError(prefix, error.Failure switch
    {
        UpstreamFailure.NotFound => "not_found",
        UpstreamFailure.TooManyRequests => "too_many_requests",
        _ => "unavailable",
    });

    private IUpstreamRegistry Upstream(MirroredName name) => upstreams.For(name.Upstream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving cached {Repository}:{Tag}: the upstream could not revalidate it ({Reason})")]
    private static partial void LogStale(ILogger logger, string repository, string tag, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled the fetch of blob {Digest} of {Repository}: every client went away with more than {Limit} bytes to come (Mirror:AbandonedFetchLimit)")]
    private static partial void LogFetchAbandoned(ILogger logger, string repository, string digest, long limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching blob {Digest} of {Repository} from its upstream failed; nothing was stored: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string repository, string digest, string reason);
}
