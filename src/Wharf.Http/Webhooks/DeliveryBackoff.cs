namespace Wharf.Http.Webhooks;

/// <summary>
/// When to try a failed delivery again: exponential backoff with full jitter. After attempt n (1-based) the ceiling is
/// <c>min × 2^(n−1)</c>, capped at <c>max</c>; the delay is drawn uniformly between a tenth of the ceiling and the ceiling,
/// so that many receivers' retries spread out instead of arriving together.
/// </summary>
public static class DeliveryBackoff
{
    public static TimeSpan Ceiling(int attempts, TimeSpan min, TimeSpan max)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 40);
        var ticks = min.Ticks * Math.Pow(2, exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    public static TimeSpan Delay(int attempts, TimeSpan min, TimeSpan max, Random random)
    {
        var ceiling = Ceiling(attempts, min, max);
        return TimeSpan.FromTicks(ceiling.Ticks / 10 + (long)(random.NextDouble() * (ceiling.Ticks - ceiling.Ticks / 10)));
    }
}
