using System.Collections.Concurrent;
using System.Diagnostics;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>
/// A synchronization context whose continuations wait in a queue until the test runs them, on the test's thread: code
/// started on it stops at each wait that does not complete at once, and resumes only when the test says, so a test can
/// put another flow's work (a fetch on the thread pool) between two steps of a request in an order of its choosing.
/// </summary>
internal sealed class QueuedContext : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("a queued context only posts");

    /// <summary>Runs <paramref name="start"/> on this context up to its first wait that does not complete at once.</summary>
    public T Start<T>(Func<T> start)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs queued continuations, one at a time, until <paramref name="done"/> holds after one (or before the first).</summary>
    public void RunUntil(Func<bool> done, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"not done within {timeout}");
            }

            // The condition may come true on another flow with nothing queued here: look at it again every few milliseconds.
            if (_queue.TryTake(out var next, TimeSpan.FromMilliseconds(5)))
            {
                Start(() =>
                {
                    next.Callback(next.State);
                    return 0;
                });
            }
        }
    }
}
