namespace Wharf.Core.Events;

/// <summary>
/// Wakes this instance's webhook dispatcher when a change with events has committed, so deliveries start at once
/// instead of at its next poll. A waiter takes <see cref="Next"/> before it looks for work and waits on it after:
/// a pulse in between is never missed. Writers also note the lines (endpoint, repository) they wrote to, so a
/// dispatcher already sending each of those lines' heads can skip a claim that would find nothing.
/// </summary>
public sealed class EventSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<(string Endpoint, string Repository)> _written = [];

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Notes that a write (committed or about to commit, then pulsed) added a delivery to this line.</summary>
    public void Wrote(string endpoint, string repository)
    {
        lock (_gate)
        {
            _written.Add((endpoint, repository));
        }
    }

    /// <summary>
    /// The lines written to since the last call. Empty after a pulse means "unknown" (an operator's replay, or a line
    /// taken by an earlier call before its write committed): the caller then claims anyway.
    /// </summary>
    public IReadOnlySet<(string Endpoint, string Repository)> TakeWritten()
    {
        lock (_gate)
        {
            if (_written.Count == 0)
            {
                return _written;
            }

            var taken = _written;
            _written = [];
            return taken;
        }
    }
}
