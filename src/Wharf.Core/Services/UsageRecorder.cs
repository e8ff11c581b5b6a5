using System.Collections.Concurrent;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Core.Services;

/// <summary>
/// Counts manifest pulls and notes pushes in memory, so that a pull costs no database write; a background
/// service calls <see cref="FlushAsync"/> every <see cref="UsageOptions.FlushInterval"/> and at shutdown, and
/// each flush is one transaction. A crash loses what was counted since the last flush (docs/design/search.md).
/// </summary>
/// <remarks>
/// Recording is lock-free: one dictionary lookup and two interlocked operations on a counter that lives until
/// a flush finds it idle. A flush removes an idle counter by sealing it first (count 0 → sealed), so a pull
/// racing with the removal sees the seal and starts a fresh counter instead of adding to a forgotten one.
/// </remarks>
public sealed class UsageRecorder(IUsageWriter writer, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Repository, Digest Digest), PullCounter> _pulls = new();
    private readonly ConcurrentDictionary<string, long> _pushes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Counts one manifest GET (not HEAD) of <paramref name="digest"/> from <paramref name="repository"/>.</summary>
    public void RecordPull(string repository, Digest digest) => AddPulls(repository, digest, 1, time.GetUtcNow().UtcTicks);

    /// <summary>Notes a manifest push into <paramref name="repository"/>, now.</summary>
    public void RecordPush(string repository) => AddPush(repository, time.GetUtcNow().UtcTicks);

    /// <summary>Writes everything counted so far in one transaction. On failure the counts are kept for the next flush and the exception is rethrown.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var batch = TakeBatch();
            if (batch.IsEmpty)
            {
                return;
            }

            try
            {
                await writer.ApplyAsync(batch, cancellationToken);
            }
            catch
            {
                Restore(batch);
                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private UsageBatch TakeBatch()
    {
        var pulls = new List<ManifestPullDelta>();
        foreach (var (key, counter) in _pulls)
        {
            var count = counter.Take();
            if (count > 0)
            {
                pulls.Add(new ManifestPullDelta(key.Repository, key.Digest, count, new DateTimeOffset(counter.LastTicks, TimeSpan.Zero)));
            }
            else if (counter.TrySeal())
            {
                _pulls.TryRemove(new KeyValuePair<(string, Digest), PullCounter>(key, counter));
            }
        }

        var pushes = new List<RepositoryPushDelta>();
        foreach (var entry in _pushes)
        {
            // Removed only if no newer push arrived meanwhile; a newer one stays for the next flush.
            if (_pushes.TryRemove(entry))
            {
                pushes.Add(new RepositoryPushDelta(entry.Key, new DateTimeOffset(entry.Value, TimeSpan.Zero)));
            }
        }

        return new UsageBatch(pulls, pushes);
    }

    private void Restore(UsageBatch batch)
    {
        foreach (var pull in batch.Pulls)
        {
            AddPulls(pull.Repository, pull.Digest, pull.Count, pull.LastPulledAt.UtcTicks);
        }

        foreach (var push in batch.Pushes)
        {
            AddPush(push.Repository, push.PushedAt.UtcTicks);
        }
    }

    private void AddPulls(string repository, Digest digest, long count, long ticks)
    {
        var key = (repository, digest);
        while (true)
        {
            var counter = _pulls.GetOrAdd(key, static _ => new PullCounter());
            if (counter.TryAdd(count, ticks))
            {
                return;
            }

            // Sealed by a flush that is removing it: help remove it, then find or make a fresh counter.
            _pulls.TryRemove(new KeyValuePair<(string, Digest), PullCounter>(key, counter));
        }
    }

    private void AddPush(string repository, long ticks) =>
        _pushes.AddOrUpdate(repository, static (_, now) => now, static (_, old, now) => Math.Max(old, now), ticks);

    private sealed class PullCounter
    {
        private const long Sealed = long.MinValue;
        private long _count;
        private long _lastTicks;

        public long LastTicks => Volatile.Read(ref _lastTicks);

        public bool TryAdd(long count, long ticks)
        {
            // The time first: whoever takes this count then reads a time at least as late as the pull's.
            var last = Volatile.Read(ref _lastTicks);
            while (ticks > last)
            {
                var seen = Interlocked.CompareExchange(ref _lastTicks, ticks, last);
                if (seen == last)
                {
                    break;
                }

                last = seen;
            }

            var current = Volatile.Read(ref _count);
            while (current != Sealed)
            {
                var seen = Interlocked.CompareExchange(ref _count, current + count, current);
                if (seen == current)
                {
                    return true;
                }

                current = seen;
            }

            return false;
        }

        /// <summary>The count since the last take (only the flush, under its lock, calls this).</summary>
        public long Take() => Interlocked.Exchange(ref _count, 0);

        public bool TrySeal() => Interlocked.CompareExchange(ref _count, Sealed, 0) == 0;
    }
}
