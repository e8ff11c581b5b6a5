using System.Collections.Concurrent;

namespace Wharf.Auth;

/// <summary>
/// The failed logins this instance has seen, per throttle key (see <see cref="LoginThrottle.Keys"/>), in a sliding
/// window: the <see cref="LoginThrottle"/>'s answer when the shared store cannot be asked, and its shortcut when this
/// instance alone has seen enough failures. A key past its limit within <see cref="ThrottleOptions.Window"/> waits
/// until its oldest failure leaves the window.
/// </summary>
internal sealed class LocalLoginFailures(AuthOptions options, TimeProvider time)
{
    private const int MaxKeys = 100_000;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(string addressKey, string? userKey)
    {
        var now = time.GetUtcNow();
        var wait = Wait(addressKey, options.Throttle.MaxFailuresPerAddress, now);
        if (userKey is not null && Wait(userKey, options.Throttle.MaxFailures, now) is { } userWait && (wait is null || userWait > wait))
        {
            wait = userWait;
        }

        return wait;
    }

    public void RecordFailure(string addressKey, string? userKey)
    {
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxKeys)
        {
            _failures.Clear();
        }

        Add(addressKey, now);
        if (userKey is not null)
        {
            Add(userKey, now);
        }
    }

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var queue))
        {
            return null;
        }

        lock (queue)
        {
            Prune(queue, now);
            return queue.Count >= limit ? queue.ElementAt(queue.Count - limit) + options.Throttle.Window - now : null;
        }
    }

    private void Add(string key, DateTimeOffset now)
    {
        var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Prune(queue, now);
            queue.Enqueue(now);
        }
    }

    private void Prune(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + options.Throttle.Window <= now)
        {
            queue.Dequeue();
        }
    }
}
