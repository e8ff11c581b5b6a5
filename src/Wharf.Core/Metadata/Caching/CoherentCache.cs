using System.Collections.Concurrent;

namespace Wharf.Core.Metadata.Caching;

/// <summary>
/// A bounded in-process cache that never serves a value older than the last invalidation of its key.
/// Hits are lock-free. A fill takes a lock and is dropped if any invalidation happened since the caller
/// read the store (<see cref="Version"/>), which closes the race "read old value, writer commits and
/// invalidates, reader caches old value".
/// </summary>
/// <param name="capacity">The most the cache holds, in units of <paramref name="weigh"/> (entries when null).</param>
/// <param name="weigh">The cost of an entry, e.g. its size in bytes.</param>
public sealed class CoherentCache<TKey, TValue>(long capacity, Func<TValue, long>? weigh = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    private readonly Lock _gate = new();
    private long _version;
    private long _weight;

    /// <summary>Take this before reading the store; pass it to <see cref="TryFill"/>.</summary>
    public long Version => Volatile.Read(ref _version);

    public bool TryGet(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    /// <summary>Caches a value read from the store, unless an invalidation happened since <paramref name="version"/>.</summary>
    public void TryFill(TKey key, TValue value, long version)
    {
        lock (_gate)
        {
            if (_version != version)
            {
                return;
            }

            var weight = weigh?.Invoke(value) ?? 1;
            if (_weight + weight > capacity)
            {
                // Crude but bounded: start over rather than track recency on the hot read path.
                _entries.Clear();
                _weight = 0;
            }

            if (_entries.TryAdd(key, value))
            {
                _weight += weight;
            }
        }
    }

    /// <summary>Forgets one key. Call after the store change has committed.</summary>
    public void Invalidate(TKey key)
    {
        lock (_gate)
        {
            _version++;
            if (_entries.TryRemove(key, out var removed))
            {
                _weight -= weigh?.Invoke(removed) ?? 1;
            }
        }
    }

    /// <summary>Forgets every key.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _version++;
            _entries.Clear();
            _weight = 0;
        }
    }

    /// <summary>Forgets every key matching <paramref name="predicate"/>.</summary>
    public void InvalidateWhere(Func<TKey, bool> predicate)
    {
        lock (_gate)
        {
            _version++;
            foreach (var key in _entries.Keys)
            {
                if (predicate(key) && _entries.TryRemove(key, out var removed))
                {
                    _weight -= weigh?.Invoke(removed) ?? 1;
                }
            }
        }
    }
}
