namespace Wharf.Core.Events;

/// <summary>
/// Wakes this instance's webhook dispatcher when a change with events has committed, so deliveries start at once
/// instead of at its next poll. A waiter takes <see cref="Next"/> before it looks for work and waits on it after:
/// a pulse in between is never missed.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
