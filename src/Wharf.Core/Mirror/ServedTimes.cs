using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Wharf.Core.Mirror;

/// <summary>
/// Records when cached tags and manifests were last served, for eviction (<see cref="MirrorOptions.EvictAfter"/>), with
/// no write per pull: each instance writes an item's record at most once per <see cref="RecordInterval"/>, and
/// remembers in memory when it last did. Instances sharing storage each write "now", the last write wins, and every
/// record is at most an interval older than the item's last pull on any instance, which eviction (days) allows for.
/// </summary>
public sealed partial class ServedTimes(CachedManifests manifests, TimeProvider time, ILogger<ServedTimes> logger)
{
    /// <summary>How often one instance writes one item's record at most.</summary>
    public static readonly TimeSpan RecordInterval = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(string Repository, string Key), DateTimeOffset> _written = new();
    private long _lastPruneTicks;

    /// <summary>
    /// Notes that the item <paramref name="key"/> (<see cref="CachedManifests.TagKey"/>, <see cref="CachedManifests.ManifestKey"/>)
    /// was served; writes its record only when this instance has not for an interval. A failed write is logged and never
    /// fails the pull; the next pull tries again.
    /// </summary>
    public async ValueTask NoteAsync(string repository, string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Prune(now);
        var id = (repository, key);
        if (_written.TryGetValue(id, out var last) && now - last < RecordInterval)
        {
            return;
        }

        _written[id] = now;
        try
        {
            // Not the request's cancellation: a small write that should not be left half done by a client leaving.
            await manifests.PutServedAsync(repository, key, now, CancellationToken.None).AsTask().WaitAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            _written.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>(id, now));
            LogRecordFailed(logger, repository, key, error.Message);
        }
    }

    /// <summary>Forgets what was written more than an interval ago, once an interval: the map holds only recent items.</summary>
    private void Prune(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < RecordInterval.Ticks || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (id, at) in _written)
        {
            if (now - at >= RecordInterval)
            {
                _written.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>(id, at));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording when cached {Repository} {Key} was last served failed; it is tried again on its next pull: {Reason}")]
    private static partial void LogRecordFailed(ILogger logger, string repository, string key, string reason);
}
