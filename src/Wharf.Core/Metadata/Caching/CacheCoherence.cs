namespace Wharf.Core.Metadata.Caching;

/// <summary>A cache that <see cref="CacheCoherence"/> keeps in step with changes made by other processes.</summary>
public interface ICoherentMetadataCache
{
    /// <summary>Forgets what <paramref name="change"/> touched (and drops fills that read the store before it).</summary>
    void Forget(CacheChange change);

    /// <summary>Forgets everything (and drops every fill that read the store before it).</summary>
    void ForgetAll();
}

/// <summary>
/// Decides whether the in-process metadata caches may answer, and hands them the changes other processes announce.
/// A single writer (SQLite) serves from the start and never hears of other writers. With a shared store (PostgreSQL)
/// the caches serve only while a listener hears every change: they start suspended, the listener
/// <see cref="Resume"/>s them once it listens, and <see cref="Suspend"/>s them the moment its connection is lost, when a
/// change could go unheard. Both forget everything, so nothing read before a gap in hearing outlives it.
/// See docs/design/cache-invalidation.md.
/// </summary>
public sealed class CacheCoherence(bool serving)
{
    private readonly Lock _gate = new();
    // Replaced whole under _gate, read without it: an announcement applied after Register returns reaches the new cache.
    private volatile ICoherentMetadataCache[] _caches = [];
    private volatile bool _serving = serving;

    /// <summary>Raised after every suspension, resumption and applied announcement (tests wait on it).</summary>
    public event Action<CacheCoherenceEvent>? Changed;

    /// <summary>The caches coherence for the single-writer setup: always serving.</summary>
    public static CacheCoherence SingleWriter() => new(serving: true);

    /// <summary>Whether a cache hit may be served, and a store read cached.</summary>
    public bool IsServing => _serving;

    /// <summary>Adds a cache (each caching decorator registers itself when built).</summary>
    public void Register(ICoherentMetadataCache cache)
    {
        lock (_gate)
        {
            _caches = [.. _caches, cache];
        }
    }

    /// <summary>Stops serving, then forgets everything: no answer and no fill from before the gap survives it.</summary>
    public void Suspend()
    {
        _serving = false;
        ForgetAll();
        Changed?.Invoke(new CacheCoherenceEvent(CacheCoherenceEventKind.Suspended, []));
    }

    /// <summary>Forgets everything (changes made while nobody listened are unknown), then serves again.</summary>
    public void Resume()
    {
        ForgetAll();
        _serving = true;
        Changed?.Invoke(new CacheCoherenceEvent(CacheCoherenceEventKind.Resumed, []));
    }

    /// <summary>Forgets what other processes changed, as their announcements say.</summary>
    public void Apply(IReadOnlyList<CacheChange> changes)
    {
        foreach (var cache in _caches)
        {
            foreach (var change in changes)
            {
                if (change.Kind == CacheChangeKind.Everything)
                {
                    cache.ForgetAll();
                }
                else
                {
                    cache.Forget(change);
                }
            }
        }

        Changed?.Invoke(new CacheCoherenceEvent(CacheCoherenceEventKind.Applied, changes));
    }

    private void ForgetAll()
    {
        foreach (var cache in _caches)
        {
            cache.ForgetAll();
        }
    }
}

public enum CacheCoherenceEventKind
{
    Suspended,
    Resumed,
    Applied,
}

/// <summary>What <see cref="CacheCoherence"/> just did; <see cref="Changes"/> are the applied announcements.</summary>
public sealed record CacheCoherenceEvent(CacheCoherenceEventKind Kind, IReadOnlyList<CacheChange> Changes);
