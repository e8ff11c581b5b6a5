namespace Wharf.Bench.Gc;

/// <summary>
/// The system clock plus an offset that only grows: the bench makes a backlog due by moving the registry's clock past
/// the grace period, while timers and Kestrel keep real time.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
